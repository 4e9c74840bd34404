# The two commands of the README: `make run` and `make test`. Both build .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks run on PostgreSQL and Redis only (see docs/performance.md).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/enterprise_social_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/2

bench: $(VENV)/.dev
	-createdb -h 127.0.0.1 -U postgres enterprise_social_bench 2>/dev/null
	REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python -m bench.fanout
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
		$(BIN)/python -m bench.stream_latency --posts 200
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.engagement

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

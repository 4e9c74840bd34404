# The two commands of the README: `make run` and `make test`. Both build .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test e2e lint format bench bench-quick clean fuzz fuzz-http chaos audit ffmpeg

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# ffprobe checks uploaded video and ffmpeg takes its poster frame (attachments): Debian's ffmpeg,
# installed when missing (like Chromium for make e2e). Without it video uploads are refused.
ffmpeg:
	@command -v ffprobe >/dev/null 2>&1 && command -v ffmpeg >/dev/null 2>&1 || { \
		echo "Installing ffmpeg (ffprobe checks uploaded video)"; \
		sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$sudo apt-get update -qq && \
		$$sudo apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null || \
		echo "ffmpeg could not be installed: video uploads will be refused"; }

# The job runner in the background, the server in the foreground; Ctrl-C (or the server
# stopping for any reason) stops both.
run: $(VENV)/.runtime ffmpeg
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@$(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: lint ffmpeg
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Browser journeys in Debian's Chromium against a real Daphne (tests/e2e; about two minutes).
e2e: $(VENV)/.dev
	$(BIN)/python -m pytest tests/e2e -m e2e $(PYTEST_ARGS)

# ruff, and the import contracts of pyproject.toml (layers look down only, no cycles):
# docs/architecture.md, "Layers".
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Security audit (issue 8). bandit fails on any high-severity finding. pip-audit fails on a
# known vulnerability in a pinned requirement, and only reports (never fails) when its advisory
# data cannot be reached from this machine.
AUDIT_CODE := core audit enterprise_social profiles notifications activity attachments communities provisioning feeds exec_blog ideas engagement reach webhooks app_accounts governance ediscovery demo bench manage.py

audit: $(VENV)/.dev
	$(BIN)/bandit -q -r $(AUDIT_CODE) -x '*/migrations/*' --severity-level high
	@out=$$($(BIN)/pip-audit -r requirements.txt --progress-spinner off 2>&1); rc=$$?; \
	echo "$$out"; \
	if echo "$$out" | grep -q "^Found [0-9]* known vulnerabilit"; then exit 1; fi; \
	if [ $$rc -ne 0 ] || echo "$$out" | grep -q "could not be audited"; then \
		echo "pip-audit: advisory data not reachable for some packages; reported, not failed"; \
	fi

# Benchmarks (issue 7) run on PostgreSQL and Redis only and stop if either is unreachable: one
# table, bench/results/latest.json. The first run seeds 10,000 people and 1,000,000 statuses into
# BENCH_DATABASE_URL; later runs reuse them (BENCH_ARGS=--reseed times a fresh seed). See
# docs/performance.md. `make bench-quick`: a small company, under three minutes once seeded.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/enterprise_social_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/2
export BENCH_DATABASE_URL BENCH_REDIS_URL

bench: $(VENV)/.dev
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-quick: $(VENV)/.dev
	$(BIN)/python -m bench --quick $(BENCH_ARGS)

# schemathesis in process (SQLite or DATABASE_URL): against /api/schema/ (>= 2,000 requests) and
# against the OpenAPI description allauth ships for its app API (>= 500 requests).
fuzz: $(VENV)/.dev
	$(BIN)/python -m pytest -m fuzz tests/security/test_fuzz_api.py tests/security/test_fuzz_allauth.py

# schemathesis over HTTP against Uvicorn with production settings, on PostgreSQL + Redis only
# (DATABASE_URL and REDIS_URL must be set): prints its request count and 5xx count; ~90 s.
fuzz-http: $(VENV)/.dev
	$(BIN)/python -m pytest -m fuzz_http tests/security/test_fuzz_http.py $(PYTEST_ARGS)

# Faults on the real PostgreSQL and Redis (restarts both: run it alone). See docs/security.md.
chaos: $(VENV)/.dev
	$(BIN)/python -m bench.chaos

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

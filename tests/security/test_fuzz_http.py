"""schemathesis over real HTTP against Uvicorn with production settings on PostgreSQL + Redis.

`make fuzz` runs in process on whatever database is configured (SQLite in CI's first pass), so
it never saw what only PostgreSQL refuses (issue 22: NUL in any text). This one starts the
deployed server (`bench.servers.start_uvicorn`, two workers) with DJANGO_DEBUG=0, a secret key,
allowed hosts and DJANGO_HTTPS=0 (plain HTTP on loopback) on the test database, signs in the
fuzzing employee with an allauth app token (`X-Session-Token`) over HTTP, and sends every
operation of /api/schema/ generated requests. Checks: no 5xx, documented status code and
content type. It prints the request count, the 5xx count and the time taken.

`make fuzz-http` (marker `fuzz_http`); CI's second pass runs it after `make test` on
PostgreSQL. It refuses to run on SQLite or without Redis.
"""

import os
import secrets
import subprocess
import sys
import time
from collections import Counter

import pytest
import schemathesis
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from bench.servers import ROOT, free_port, server_env, start_uvicorn, stop, token_session
from exec_blog.services import post_create, question_create
from feeds.services import comment_create, status_create
from ideas.services import idea_create
from profiles.permissions import EXECUTIVES, HR, MODERATORS
from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.security.test_fuzz_api import _summary

pytestmark = [pytest.mark.fuzz_http, pytest.mark.django_db(transaction=True)]

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_HTTP_EXAMPLES", "20"))
MODES = [
    (GenerationMode.POSITIVE, EXAMPLES_PER_OPERATION * 2 // 3),
    (GenerationMode.NEGATIVE, EXAMPLES_PER_OPERATION - EXAMPLES_PER_OPERATION * 2 // 3),
]
# Past this many seconds of fuzzing the remaining operations get one example each, so the
# target stays near its time budget on a slow machine.
BUDGET_SECONDS = float(os.environ.get("FUZZ_HTTP_BUDGET", "60"))
MIN_REQUESTS = 300
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


def production_env() -> dict:
    db = settings.DATABASES["default"]
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "REDIS_PREFIX": settings.REDIS_PREFIX,
        # One very busy user: throttling it would test the throttle, not the API.
        "API_THROTTLE_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def server(fuzz_user, seeded):
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.fail("make fuzz-http needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    env = production_env()
    # Production settings serve hashed static files (whitenoise's manifest): collect them.
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(env),
        check=True,
    )
    port = int(os.environ.get("FUZZ_HTTP_PORT") or free_port())
    process = start_uvicorn(port, env, workers=2, quiet=not os.environ.get("FUZZ_HTTP_VERBOSE"))
    yield port
    stop([process])


def test_api_over_http_on_postgresql_survives_generated_requests(server, fuzz_user, capsys):
    started = time.monotonic()
    base = f"http://127.0.0.1:{server}"
    session = token_session(server, fuzz_user.username, PASSWORD)
    headers = {"X-Session-Token": session.headers["X-Session-Token"]}
    schema = schemathesis.openapi.from_url(f"{base}/api/schema/", headers=headers)
    schema.config.update(base_url=base)

    statuses: Counter[int] = Counter()
    per_operation: Counter[str] = Counter()
    failures: list[str] = []
    plan = [
        (operation.ok(), mode, examples)
        for operation in schema.get_all_operations()
        for mode, examples in MODES
    ]
    for operation, mode, examples in plan:
        if time.monotonic() - started > BUDGET_SECONDS:
            examples = 1

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            label = case.operation.label
            response = case.call(headers=headers, timeout=30)
            statuses[response.status_code] += 1
            per_operation[label] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported below
                failures.append(f"{label}: {_summary(error)}")

        try:
            run()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label

    total = sum(statuses.values())
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    with capsys.disabled():
        print(
            f"\nfuzz-http: {total} requests over {len(per_operation)} operations in "
            f"{time.monotonic() - started:.0f} s against Uvicorn (production settings, "
            f"PostgreSQL + Redis); 5xx: {server_errors}; status codes "
            f"{dict(sorted(statuses.items()))}; failures {len(failures)}"
        )
    assert not failures, "\n".join(sorted(set(failures)))
    assert server_errors == 0
    assert total >= MIN_REQUESTS
    assert len(per_operation) == len({operation.label for operation, _, _ in plan})


@pytest.fixture
def fuzz_user(db):
    # Every role, so the executive, HR and moderator operations run their code too.
    user = UserFactory(username="fuzzer", roles=[EXECUTIVES, HR, MODERATORS])
    # The server hashes as in production; this process's settings only know the fast MD5.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def seeded(fuzz_user, alice, bob):
    """A few objects of each kind, so small generated ids sometimes hit a real one."""
    for author in (alice, bob, fuzz_user):
        status = status_create(author=author, body=f"hello #fuzz from @{author.username}")
        comment_create(author=author, status=status, body="a comment")
        question_create(asker=author, body="What is the plan for next year?", anonymous=False)
        idea_create(author=author, title="A better coffee machine", description="Every floor.")
    post_create(author=fuzz_user, title="Hello", body="Body", status="published")
    status_create(author=alice, body="Lunch?", poll={"options": ["Pizza", "Salad"]})

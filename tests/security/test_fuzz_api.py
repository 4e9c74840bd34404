"""schemathesis against /api/schema/, in process, as a signed-in employee who holds every role.

Every operation of the schema gets generated requests (valid and invalid input); each response
must not be a 5xx and must match the schema (status code, content type, body). Run with
`make fuzz`; excluded from the default run by the `fuzz` marker.
"""

import os
import sys
from collections import Counter

import pytest
import schemathesis
from django.core.signals import got_request_exception
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.ratelimit import ApiThrottle
from profiles.permissions import EXECUTIVES, HR, MODERATORS
from tests.conftest import PASSWORD
from tests.factories import UserFactory

# Committed like production requests (no test transaction around them), flushed afterwards.
pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "45"))
# Two thirds valid input (reaches the code behind validation), one third invalid on purpose.
MODES = [
    (GenerationMode.POSITIVE, EXAMPLES_PER_OPERATION * 2 // 3),
    (GenerationMode.NEGATIVE, EXAMPLES_PER_OPERATION - EXAMPLES_PER_OPERATION * 2 // 3),
]
MIN_REQUESTS = 2000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzz_user(alice, bob):
    # Every role, so the executive, HR and moderator operations run their code too.
    user = UserFactory(username="fuzzer", roles=[EXECUTIVES, HR, MODERATORS])
    return user


@pytest.fixture
def seeded(fuzz_user, alice, bob):
    """A few objects of each kind, so small generated ids sometimes hit a real one."""
    from exec_blog.services import post_create, question_create
    from feeds.services import comment_create, status_create
    from ideas.services import idea_create

    for author in (alice, bob, fuzz_user):
        status = status_create(author=author, body=f"hello #fuzz from @{author.username}")
        comment_create(author=author, status=status, body="a comment")
        question_create(asker=author, body="What is the plan for next year?", anonymous=False)
        idea_create(
            author=author,
            title="A better coffee machine",
            description="Let us buy one for every floor.",
        )
    post_create(author=fuzz_user, title="Hello", body="Body", status="published")
    status_create(
        author=alice,
        body="Lunch?",
        poll={"options": ["Pizza", "Salad"]},
    )


def test_api_survives_generated_requests(api, settings_, fuzz_user, seeded, capsys):
    # An app client's session token: the same login as the mobile apps, no CSRF dance.
    response = api.post(
        "/_allauth/app/v1/auth/login",
        {"username": fuzz_user.username, "password": PASSWORD},
        format="json",
    )
    headers = {"X-Session-Token": response.json()["meta"]["session_token"]}
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app, headers=headers)

    statuses: Counter[int] = Counter()
    per_operation: Counter[str] = Counter()
    failures: list[str] = []

    errors: Counter[str] = Counter()

    def record_exception(sender, request, **kwargs):
        error = sys.exc_info()[1]
        errors[f"{request.method} {request.path[:60]}: {type(error).__name__}: {error}"[:300]] += 1

    got_request_exception.connect(record_exception)
    plan = [
        (operation.ok(), mode, examples)
        for operation in schema.get_all_operations()
        for mode, examples in MODES
    ]
    for operation, mode, examples in plan:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            label = case.operation.label
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            per_operation[label] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported below
                failures.append(f"{label}: {_summary(error)}")

        try:
            run()
        except Unsatisfiable:
            # Nothing invalid to send: an operation without parameters or body.
            assert mode is GenerationMode.NEGATIVE, operation.label

    got_request_exception.disconnect(record_exception)
    total = sum(statuses.values())
    with capsys.disabled():
        print(
            f"\nfuzz: {total} requests over {len(per_operation)} operations; "
            f"status codes {dict(sorted(statuses.items()))}; failures {len(failures)}"
        )
    assert not errors, "\n".join(list(errors)[:15])
    assert not failures, "\n".join(sorted(set(failures)))
    assert total >= MIN_REQUESTS
    assert not any(code >= 500 for code in statuses)


@pytest.fixture
def settings_(settings, monkeypatch):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # The fuzzer is one very busy user; throttling it would test the throttle, not the API.
    # (Views read their throttle classes at import, so the class itself is switched off.)
    monkeypatch.setattr(ApiThrottle, "allow_request", lambda self, request, view: True)
    return settings


def _summary(error: BaseException) -> str:
    """The check's name and first lines: enough to tell distinct failures apart."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return " | ".join(lines[1:4])[:300]

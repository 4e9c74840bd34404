"""A database that does not answer is a 503 with a clear message, never a 500.

The outage itself (a real PostgreSQL restart under load) is `make chaos` (bench/chaos.py).
"""

import pytest
from django.db import InterfaceError, OperationalError

from core.middleware import DATABASE_DOWN

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[OperationalError, InterfaceError])
def database_down(request):
    def fail(*args, **kwargs):
        raise request.param("connection refused")

    return fail


def test_api_answers_503_json_when_the_database_fails_in_a_view(
    alice_api, monkeypatch, database_down
):
    monkeypatch.setattr("feeds.services.status_create", database_down)
    response = alice_api.post("/api/v1/statuses/", {"body": "hello"}, format="json")
    assert response.status_code == 503
    assert response.json() == {"detail": DATABASE_DOWN}
    assert response["Retry-After"] == "5"


def test_page_answers_503_when_the_database_fails_in_a_view(
    alice_client, monkeypatch, database_down
):
    monkeypatch.setattr("feeds.views.selectors.moderation_log", database_down)
    response = alice_client.get("/moderation/log/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert DATABASE_DOWN.encode() in response.content


def test_database_errors_outside_views_are_503_too(rf, database_down):
    from core.views import error_500

    request = rf.get("/api/v1/feed/")
    try:
        database_down()
    except (OperationalError, InterfaceError):
        response = error_500(request)
    assert response.status_code == 503
    assert DATABASE_DOWN.encode() in response.content


def test_other_errors_stay_500(rf):
    from core.views import error_500

    request = rf.get("/api/v1/feed/")
    try:
        raise ValueError("bug")
    except ValueError:
        response = error_500(request)
    assert response.status_code == 500

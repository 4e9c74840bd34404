import pytest
from rest_framework.test import APIClient

from profiles.permissions import COMPLIANCE
from tests.factories import UserFactory


@pytest.fixture
def compliance(db):
    return UserFactory(
        username="compliance", finish__display_name="Casey Compliance", roles=[COMPLIANCE]
    )


@pytest.fixture
def events(monkeypatch):
    """The live events this process publishes."""
    from core import realtime

    seen = []
    original = realtime.publish_many

    def spy(messages):
        seen.extend(m["event"] for m in messages)
        original(messages)

    monkeypatch.setattr(realtime, "publish_many", spy)
    return seen


def api_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client

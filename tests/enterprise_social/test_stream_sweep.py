"""The session sweep finds the sockets of deactivated people and ended sessions in two queries."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.streaming import _ended_subscribers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@dataclass(eq=False)
class Socket:
    user_id: int
    session_key: str | None
    department_id: int | None = None
    followees: set = field(default_factory=set)


def _session(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store.create()
    return store.session_key


def test_sweep_picks_deactivated_people_and_ended_sessions_only(django_assert_max_num_queries):
    active, leaving, logged_out = UserFactory(), UserFactory(), UserFactory()
    keep = Socket(active.pk, _session(active))
    keep_without_session = Socket(active.pk, None)
    deactivated = Socket(leaving.pk, _session(leaving))
    ended = Socket(logged_out.pk, "no-such-session")
    expired = Socket(active.pk, _session(active))
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    leaving.is_active = False
    leaving.save()
    many = [Socket(active.pk, keep.session_key) for _ in range(500)]
    subs = [keep, keep_without_session, deactivated, ended, expired, *many]
    with django_assert_max_num_queries(2):
        found = _ended_subscribers(subs)
    assert set(map(id, found)) == {id(deactivated), id(ended), id(expired)}

"""One action that notifies many people (an idea decided with thousands of voters) serialises
the shared notification once and publishes every event in one round trip after commit."""

import pytest
from django.utils import timezone

from core import realtime
from exec_blog.models import Question
from notifications import events
from notifications.models import Notification
from notifications.serializers import NotificationSerializer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch):
    batches = []
    monkeypatch.setattr(realtime, "publish_many", batches.append)
    return batches


def notify(actor, recipients, kind="idea", **extra):
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            actor=actor,
            actor_ids=[actor.pk],
            created_at=now,
            updated_at=now,
            **extra,
        )
        for user in recipients
    )


def test_each_recipient_gets_their_own_notification_in_one_publish(
    published, django_capture_on_commit_callbacks
):
    actor = UserFactory()
    recipients = UserFactory.create_batch(4)
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(actor, recipients)
        events.notifications_created(rows)
        assert published == []  # nothing before the commit
    assert len(published) == 1
    messages = published[0]
    assert [m["audience"]["user_ids"] for m in messages] == [(u.pk,) for u in recipients]
    for message, row in zip(messages, rows, strict=True):
        assert message["event"]["type"] == "notification.created"
        # Exactly what serialising each one on its own gives.
        assert message["event"]["notification"] == NotificationSerializer(row).data


def test_answers_are_serialised_per_recipient(published, django_capture_on_commit_callbacks):
    asker, voter, ceo = UserFactory(), UserFactory(), UserFactory()
    question = Question.objects.create(asker=asker, body="Why?")
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(ceo, [asker, voter], kind="answer", target=question)
        events.notifications_created(rows)
    texts = [m["event"]["notification"]["text"] for m in published[0]]
    assert texts[0].endswith("answered your question")
    assert texts[1].endswith("answered a question you voted for")


def test_nothing_to_notify_publishes_nothing(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events.notifications_created([])
    assert published == []

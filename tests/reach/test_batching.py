"""Sending in batches (an announcement to thousands): one SMTP connection for a batch, a server
that fails mid-batch loses nothing, and a batch costs the same number of queries whatever the
number of its recipients, with visibility, mutes and settings still checked per recipient."""

import math
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.services import community_create, member_put, member_remove, membership_join
from feeds.services import status_announce, status_create
from notifications.services import notifications_create_many
from reach import mail, push, services
from reach.models import (
    DeliveryState,
    EmailDelivery,
    MailQueueItem,
    NotificationSettings,
    PushSubscription,
)
from reach.preferences import settings_update
from tests.factories import UserFactory

from .conftest import decoded, run_jobs

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=3)


def told_by_email(count: int) -> list:
    """`count` people who want announcements by email at once."""
    people = [UserFactory() for _ in range(count)]
    NotificationSettings.objects.bulk_create(
        [NotificationSettings(user=p, email={"announcement": "immediate"}) for p in people]
    )
    return people


def announce(author, body, capture) -> None:
    status = status_create(author=author, body=body)
    with capture(execute=True):
        status_announce(actor=author, status=status, pinned=True)
    # The announcement job (notifications, their dispatch jobs queued as it commits), then the
    # dispatch jobs (emails queued, pushes sent).
    run_jobs()


def test_a_batch_of_emails_goes_over_one_smtp_connection(
    smtp, settings, ceo, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(mail, "BATCH", 5)  # three batches of five for fifteen people
    people = told_by_email(15)
    announce(ceo, "All hands on Friday", django_capture_on_commit_callbacks)
    assert MailQueueItem.objects.count() == 15
    counts = services.mail_flush(now=timezone.now() + LATER)
    assert counts == {"sent": 15, "failed": 0, "skipped": 0}
    assert sorted(m["To"] for m in smtp.inbox.messages) == sorted(p.email for p in people)
    assert smtp.count() == 1 and smtp.inbox.connections_used == 1
    # Each email is the person's own: their unsubscribe link, in the header and both bodies.
    for message in smtp.inbox.messages:
        link = " ".join(str(message["List-Unsubscribe"]).split()).strip("<>")
        text, html = decoded(message)
        assert link in text and link in html
    assert len({m["List-Unsubscribe"] for m in smtp.inbox.messages}) == 15


def test_an_email_built_in_a_batch_is_the_one_built_alone(
    smtp, ceo, django_capture_on_commit_callbacks
):
    told_by_email(6)
    announce(ceo, "Offices close at 3 pm <today> & tomorrow", django_capture_on_commit_callbacks)
    services.mail_collect(user_ids=list(MailQueueItem.objects.values_list("user_id", flat=True)))
    deliveries = list(EmailDelivery.objects.select_related("recipient").order_by("pk"))
    prepared = mail.prepare(deliveries)
    batched = [mail.build(d, d.recipient, prepared) for d in deliveries]
    assert prepared.renderer.renders == 1  # one content, rendered once for six people
    for delivery, message in zip(deliveries, batched, strict=True):
        alone = mail.build(delivery, delivery.recipient)
        assert message.subject == alone.subject
        assert message.body == alone.body
        assert message.alternatives == alone.alternatives
        assert message.extra_headers == alone.extra_headers
    html = batched[0].alternatives[0][0]
    assert "Offices close at 3 pm" in html and "<today>" not in html


def test_a_server_that_fails_mid_batch_delays_the_rest_and_loses_nothing(
    smtp, ceo, django_capture_on_commit_callbacks
):
    people = told_by_email(8)
    announce(ceo, "Quarterly results", django_capture_on_commit_callbacks)
    smtp.inbox.accept = 3  # three emails, then "421 closing" to everything
    first = timezone.now() + LATER
    counts = services.mail_flush(now=first)
    assert counts == {"sent": 3, "failed": 5, "skipped": 0}
    assert len(smtp.inbox.messages) == 3
    waiting = EmailDelivery.objects.filter(state=DeliveryState.PENDING)
    assert waiting.count() == 5
    for delivery in waiting:
        assert delivery.attempts == 1 and delivery.next_attempt_at > first
        assert "unreachable" in delivery.last_error
    # Its connection dropped after three: it was opened once more, then nothing more tried.
    assert smtp.count() == 2
    # Not before its time; then the server is back and the rest goes, each email once.
    assert services.mail_flush(now=first + timedelta(seconds=30))["sent"] == 0
    smtp.inbox.accept = None
    assert services.mail_flush(now=first + timedelta(minutes=1))["sent"] == 5
    assert sorted(m["To"] for m in smtp.inbox.messages) == sorted(p.email for p in people)
    assert EmailDelivery.objects.filter(state=DeliveryState.SENT).count() == 8
    assert set(EmailDelivery.objects.values_list("attempts", flat=True)) == {1, 2}


def test_a_connection_that_drops_between_two_emails_is_opened_again(
    smtp, ceo, django_capture_on_commit_callbacks
):
    people = told_by_email(6)
    announce(ceo, "New canteen menu", django_capture_on_commit_callbacks)
    services.mail_collect(user_ids=[p.pk for p in people])
    sender = mail.Sender()
    try:
        assert mail.deliveries_send_due(limit=2, sender=sender)["sent"] == 2
        smtp.inbox.refuse_once = 1  # the server closes the connection at the next email
        assert mail.deliveries_send_due(limit=10, sender=sender) == {
            "sent": 4,
            "failed": 0,
            "skipped": 0,
        }
    finally:
        sender.close()
    assert sender.opened == 2 and smtp.count() == 2
    assert sorted(m["To"] for m in smtp.inbox.messages) == sorted(p.email for p in people)
    assert set(EmailDelivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_server_that_is_down_fails_one_attempt_of_the_batch_with_one_connection_try(
    smtp, ceo, django_capture_on_commit_callbacks
):
    told_by_email(7)
    announce(ceo, "Fire drill at noon", django_capture_on_commit_callbacks)
    smtp.stop()
    counts = services.mail_flush(now=timezone.now() + LATER)
    assert counts == {"sent": 0, "failed": 7, "skipped": 0}
    assert set(EmailDelivery.objects.values_list("state", "attempts")) == {("pending", 1)}
    assert smtp.count() == 0


def _mentions(author, people, body, **kwargs):
    names = " ".join(f"@{p.username}" for p in people)
    return status_create(author=author, body=f"{names} {body}", **kwargs)


def _flush_queries(count: int, capture, push_service, keys) -> tuple[int, int, dict]:
    """Queries of dispatching and of sending to `count` people mentioned in a private
    community (visibility read per recipient), with push subscriptions; (dispatch, send)."""
    owner = UserFactory()
    club = community_create(actor=owner, name=f"Club {count}", visibility="private")
    people = [UserFactory() for _ in range(count)]
    for person in people:
        member_put(actor=owner, community=club, username=person.username, state="invited")
        membership_join(actor=person, community=club)
        PushSubscription.objects.create(
            user=person,
            endpoint=f"{push_service.base}/p/{person.pk}",
            **keys.subscription("")["keys"],
        )
    status = status_create(author=owner, body="The plan for next week", community=club)
    with capture(execute=True), transaction.atomic():
        notifications_create_many(
            recipient_ids=[p.pk for p in people], kind="mention", actor=owner, target=status
        )
    with CaptureQueriesContext(connection) as dispatch:
        [outcome] = run_jobs()  # one dispatch job for the batch
    assert outcome == {"queued": count, "pushed": count}
    with CaptureQueriesContext(connection) as send:
        counts = services.mail_flush(now=timezone.now() + LATER)
    return len(dispatch), len(send), counts


def test_queries_per_batch_do_not_grow_with_its_recipients(
    smtp, push_service, browser_keys, django_capture_on_commit_callbacks
):
    # Above the few people who get a flush of their own (one schedule each), both sizes.
    sizes = (services.PER_PERSON_FLUSH + 1, services.PER_PERSON_FLUSH * 3)
    small = _flush_queries(sizes[0], django_capture_on_commit_callbacks, push_service, browser_keys)
    EmailDelivery.objects.all().delete()
    large = _flush_queries(sizes[1], django_capture_on_commit_callbacks, push_service, browser_keys)
    assert small[2]["sent"] == sizes[0] and large[2]["sent"] == sizes[1]
    assert large[0] == small[0], "dispatch"
    # Sending: the same, plus one query to mark each MARK_EVERY emails sent.
    marks = [math.ceil(n / mail.MARK_EVERY) for n in sizes]
    assert large[1] - marks[1] == small[1] - marks[0], "send"
    assert small[1] - marks[0] <= 20


def test_visibility_mutes_and_settings_are_checked_per_recipient_in_a_batch(
    smtp, push_service, browser_keys, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    club = community_create(actor=owner, name="Skunkworks", visibility="private")
    stays, removed, muted, off, reader = (UserFactory() for _ in range(5))
    for person in (stays, removed, muted, off, reader):
        member_put(actor=owner, community=club, username=person.username, state="invited")
        membership_join(actor=person, community=club)
    settings_update(user=muted, data={"muted_communities": ["skunkworks"]})
    settings_update(user=off, data={"email": {"mention": "off"}})
    for person in (stays, removed, reader):
        keys = browser_keys.subscription(f"{push_service.base}/p/{person.pk}")["keys"]
        PushSubscription.objects.create(
            user=person, endpoint=f"{push_service.base}/p/{person.pk}", **keys
        )
    with django_capture_on_commit_callbacks(execute=True):
        _mentions(owner, [stays, removed, muted, off], "launch plan", community=club)
    run_jobs()
    # Pushed to the two subscribed mentioned people, not to a reader nobody mentioned.
    assert sorted(r["path"] for r in push_service.requests) == sorted(
        f"/p/{p.pk}" for p in (stays, removed)
    )
    assert set(MailQueueItem.objects.values_list("user_id", flat=True)) == {stays.pk, removed.pk}
    member_remove(actor=owner, community=club, username=removed.username)
    counts = services.mail_flush(now=timezone.now() + LATER)
    assert counts == {"sent": 1, "failed": 0, "skipped": 1}
    assert [m["To"] for m in smtp.inbox.messages] == [stays.email]
    assert EmailDelivery.objects.get(recipient=removed).state == DeliveryState.SKIPPED


def test_pushes_to_many_browsers_are_awaited_several_at_a_time(
    push_service, browser_keys, ceo, django_capture_on_commit_callbacks
):
    people = [UserFactory() for _ in range(push.CONCURRENCY * 2)]
    for person in people:
        PushSubscription.objects.create(
            user=person,
            endpoint=f"{push_service.base}/p/{person.pk}",
            **browser_keys.subscription("")["keys"],
        )
    push_service.delay = 0.2  # a push service far away
    status = status_create(author=ceo, body="Pushed to every phone")
    with django_capture_on_commit_callbacks(execute=True):
        status_announce(actor=ceo, status=status, pinned=True)
    [told, outcome] = run_jobs()
    assert told == len(people) and outcome["pushed"] == len(people)
    assert sorted(r["path"] for r in push_service.requests) == sorted(f"/p/{p.pk}" for p in people)
    assert 1 < push_service.most_in_flight <= push.CONCURRENCY
    # One VAPID token for the push service, not one per push.
    assert len({r["headers"]["authorization"] for r in push_service.requests}) == 1

"""Email through a real SMTP server (aiosmtpd on loopback): batching, headers, the digest's
visibility, one-click unsubscribe, a mail server that is down, and mail without content."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule

from communities.services import community_create, member_put, member_remove, membership_join
from exec_blog.services import question_create, question_vote
from feeds.models import Status, Visibility
from feeds.services import comment_create, reaction_add, status_announce, status_create
from profiles.services import follow_create
from reach import preferences, services
from reach.models import DeliveryState, EmailDelivery, MailQueueItem, NotificationSettings
from reach.preferences import settings_for, settings_update
from tests.factories import UserFactory

from .conftest import decoded, run_jobs

pytestmark = pytest.mark.django_db

LATER = timedelta(minutes=3)


def header(message, name: str) -> str:
    return " ".join(str(message[name]).split())


def join(owner, community, user):
    member_put(actor=owner, community=community, username=user.username, state="invited")
    membership_join(actor=user, community=community)


def post(author, body, **kwargs):
    return status_create(author=author, body=body, **kwargs)


def test_a_burst_of_mentions_is_one_email_per_person_with_unsubscribe_headers(
    smtp, alice, bob, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            post(carol, f"@alice and @bob, look at draft {n}")
    run_jobs()
    assert MailQueueItem.objects.count() == 8
    # One flush per person, at the time of their first notification plus the delay.
    assert set(Schedule.objects.values_list("name", flat=True)) >= {
        f"at:reach-mail-{alice.pk}",
        f"at:reach-mail-{bob.pk}",
    }
    assert services.mail_flush(now=timezone.now()) == {"sent": 0, "failed": 0, "skipped": 0}
    counts = services.mail_flush(now=timezone.now() + LATER)
    assert counts["sent"] == 2
    for user in (alice, bob):
        [message] = smtp.inbox.to(user.email)
        assert message["Subject"].startswith("4 new notifications")
        assert header(message, "List-Unsubscribe").startswith("<https://social.example.com/u/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text, html = decoded(message)
        assert text.count("mentioned you") == 4
        assert "look at draft 3" in text and "look at draft 3" in html
        assert "<script" not in html and "http://" not in html.replace("http://www.w3", "")
    assert not smtp.inbox.to(carol.email)
    assert EmailDelivery.objects.filter(state=DeliveryState.SENT).count() == 2
    # Nothing is sent twice.
    assert services.mail_flush(now=timezone.now() + LATER * 2)["sent"] == 0


def test_reactions_stay_in_the_app_by_default_but_can_be_emailed(
    smtp, alice, bob, carol, django_capture_on_commit_callbacks
):
    status = post(alice, "Shipping today")
    with django_capture_on_commit_callbacks(execute=True):
        reaction_add(user=bob, status=status, kind="like")
    run_jobs()
    assert MailQueueItem.objects.count() == 0
    settings_update(user=alice, data={"email": {"reaction": "immediate"}})
    with django_capture_on_commit_callbacks(execute=True):
        reaction_add(user=carol, status=status, kind="celebrate")
        for _ in range(5):
            reaction_add(user=UserFactory(), status=status, kind="like")
    run_jobs()
    services.mail_flush(now=timezone.now() + LATER)
    [message] = smtp.inbox.to(alice.email)
    # Reactions are grouped into one notification: one line naming the latest and the others.
    assert "others reacted to your status" in message["Subject"]


def test_a_notification_the_recipient_can_no_longer_read_is_not_emailed(
    smtp, alice, bob, django_capture_on_commit_callbacks
):
    community = community_create(actor=bob, name="Skunkworks", visibility="private")
    join(bob, community, alice)
    with django_capture_on_commit_callbacks(execute=True):
        post(bob, "@alice secret plans", community=community)
    run_jobs()
    assert MailQueueItem.objects.filter(user=alice).exists()
    member_remove(actor=bob, community=community, username="alice")
    counts = services.mail_flush(now=timezone.now() + LATER)
    assert counts == {"sent": 0, "failed": 0, "skipped": 1}
    assert smtp.inbox.messages == []


def test_muted_thread_and_community_are_not_emailed(
    smtp, alice, bob, django_capture_on_commit_callbacks
):
    thread = post(alice, "My thread")
    community = community_create(actor=bob, name="Guild", visibility="open")
    settings_update(
        user=alice, data={"muted_statuses": [thread.pk], "muted_communities": ["guild"]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        comment_create(author=bob, status=thread, body="@alice a comment in a muted thread")
        post(bob, "@alice in a muted community", community=community)
    run_jobs()
    assert not MailQueueItem.objects.filter(user=alice).exists()


def test_the_digest_holds_exactly_what_the_person_may_read(
    smtp, alice, bob, carol, sales, django_capture_on_commit_callbacks
):
    alice_settings = NotificationSettings.objects.get_or_create(user=alice)[0]
    outsider = UserFactory(finish__department=sales)
    follow_create(follower=alice, followee=bob)
    follow_create(follower=alice, followee=outsider)
    post(bob, "Quarterly numbers are in")
    post(outsider, "Sales-only pipeline review", visibility=Visibility.DEPARTMENT)
    private = community_create(actor=bob, name="Board prep", visibility="private")
    post(bob, "Board prep: confidential", community=private)
    mine = community_create(actor=carol, name="Runners", visibility="private")
    join(carol, mine, alice)
    post(carol, "Run club on Thursday", community=mine)
    question = question_create(asker=carol, body="When do we get the new laptops, please?")
    for _ in range(3):
        question_vote(user=UserFactory(), question=question)
    now = timezone.now() + timedelta(seconds=1)
    alice_settings.next_digest_at = now - timedelta(minutes=1)
    # Her regular hour is half a day away whatever the clock says, so the second run below
    # finds nothing due (at 07:59 with the default 08:00 it would rightly queue another).
    local_hour = now.astimezone(preferences.zone_of(alice_settings)).hour
    alice_settings.digest_hour = (local_hour + 12) % 24
    alice_settings.save()
    assert services.digests_queue_due(now=now) >= 1
    services.mail_flush(now=now)
    [message] = smtp.inbox.to(alice.email)
    text, html = decoded(message)
    assert "Quarterly numbers are in" in text and "Quarterly numbers are in" in html
    assert "Run club on Thursday" in text
    assert "new laptops" in text
    assert "Sales-only pipeline review" not in text + html
    assert "confidential" not in text + html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Queued once: the next run finds nothing due for alice.
    assert not EmailDelivery.objects.filter(recipient=alice, state="pending").exists()
    services.digests_queue_due(now=now + timedelta(minutes=5))
    assert EmailDelivery.objects.filter(recipient=alice, kind="digest").count() == 1


def test_unsubscribe_works_from_the_link_alone(
    smtp, alice, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(carol, "@alice hello")
    run_jobs()
    services.mail_flush(now=timezone.now() + LATER)
    [message] = smtp.inbox.to(alice.email)
    url = header(message, "List-Unsubscribe").split(",")[0].strip("<> ")
    path = url.removeprefix("https://social.example.com")
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(path)
    assert page.status_code == 200
    assert b"Unsubscribe" in page.content and b"mentions of you" in page.content
    assert settings_for(user=alice).effective_email["mention"] == "immediate"
    # RFC 8058: a POST with this body, no cookie, no CSRF token.
    done = anonymous.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    assert NotificationSettings.objects.get(user=alice).effective_email["mention"] == "off"
    assert anonymous.get(path[:-5] + "xx/").status_code == 404
    # The confirmation page can also stop all email.
    anonymous.post(path, {"scope": "all"})
    row = NotificationSettings.objects.get(user=alice)
    assert set(row.effective_email.values()) == {"off"} and row.digest == "off"


def test_a_mail_server_down_delays_mail_and_loses_none(
    smtp, alice, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(carol, "@alice are you there?")
    run_jobs()
    smtp.stop()
    first = timezone.now() + LATER
    assert services.mail_flush(now=first)["failed"] == 1
    delivery = EmailDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.last_error and delivery.next_attempt_at > first
    # Not retried before its time; then the server is back and the retry sends it.
    assert services.mail_flush(now=first + timedelta(seconds=30))["failed"] == 0
    smtp.start()
    assert services.mail_flush(now=first + timedelta(minutes=1))["sent"] == 1
    delivery.refresh_from_db()
    assert delivery.state == "sent" and delivery.attempts == 2
    assert len(smtp.inbox.to(alice.email)) == 1


def test_a_delivery_that_keeps_failing_ends_failed_for_the_admin(
    smtp, settings, alice, carol, admin_user, django_capture_on_commit_callbacks
):
    settings.REACH_MAIL_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        post(carol, "@alice ping")
    run_jobs()
    smtp.stop()
    when = timezone.now() + LATER
    for _ in range(3):
        services.mail_flush(now=when)
        when += timedelta(hours=2)
    delivery = EmailDelivery.objects.get()
    assert delivery.state == "failed" and delivery.attempts == 3
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get("/admin/reach/emaildelivery/?state__exact=failed")
    assert page.status_code == 200 and b"Failed" in page.content


def test_without_content_says_who_did_what_and_nothing_more(
    smtp, settings, alice, carol, django_capture_on_commit_callbacks
):
    settings.NOTIFY_WITHOUT_CONTENT = True
    with django_capture_on_commit_callbacks(execute=True):
        post(carol, "@alice the merger closes on Friday")
    run_jobs()
    services.mail_flush(now=timezone.now() + LATER)
    [message] = smtp.inbox.to(alice.email)
    text, html = decoded(message)
    assert "Carol Chen mentioned you — open to read" in text
    assert "merger" not in text + html + message["Subject"]


def test_an_announcement_reaches_everyone_in_batches(
    smtp, settings, ceo, alice, bob, django_capture_on_commit_callbacks
):
    settings_update(user=bob, data={"email": {"announcement": "immediate"}})
    status = post(ceo, "We are opening an office in Lisbon")
    with django_capture_on_commit_callbacks(execute=True):
        status_announce(actor=ceo, status=status, pinned=True)
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    run_jobs()
    assert Status.objects.get(pk=status.pk).is_announcement
    services.mail_flush(now=timezone.now() + LATER)
    assert len(smtp.inbox.to(bob.email)) == 1
    assert smtp.inbox.to(alice.email) == []  # announcements: digest by default
    # Idempotent: running the job again tells nobody twice.
    assert services.announcement_notify(status_id=status.pk, actor_id=ceo.pk) == 0

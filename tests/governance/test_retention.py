"""Retention with the clock moved: tombstones that say so, text and files purged, counts kept,
community policies, held content kept until its hold is released, engagement figures kept."""

from datetime import time, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.utils import timezone

from activity.models import ActivityEvent, PendingEvent
from attachments.models import Attachment
from audit import actions
from audit.models import AuditEntry
from communities import services as communities
from core.jobs import job_enqueue_on_commit, periodic_jobs
from engagement.rollups import rollups_catch_up
from feeds import services as feeds
from feeds.models import Comment, Hashtag, Poll, Status, StatusRevision
from governance import services
from governance.services import retention_run, retention_text
from notifications.models import Notification
from tests.attachments import media
from tests.attachments.helpers import make_upload
from tests.engagement.helpers import Kind, act, last_monday, team
from tests.factories import UserFactory
from tests.governance.conftest import api_for
from tests.governance.helpers import age, set_policy
from tests.reach.conftest import run_jobs

pytestmark = pytest.mark.django_db

TEXT_30 = "Removed by the retention policy after 30 days"


def picture_status(author, body="Our offsite #summit, with @bob", **kwargs):
    upload = make_upload(author, media.picture())
    return feeds.status_create(author=author, body=body, attachments=[upload.token], **kwargs)


def files_of(obj) -> list[str]:
    rows = Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(obj), owner_id=obj.pk
    )
    return [f.name for a in rows for f in (a.file, a.thumbnail) if f]


def test_the_retention_text_says_after_how_many_days():
    assert retention_text(30) == TEXT_30
    assert retention_text(1) == "Removed by the retention policy after 1 day"
    assert retention_text(3650) == "Removed by the retention policy after 3,650 days"


def test_a_status_past_retention_becomes_a_tombstone_everywhere_and_its_text_and_files_go(
    alice, bob, compliance, events, django_capture_on_commit_callbacks
):
    status = picture_status(alice)
    feeds.status_update(actor=alice, status=status, body="Our offsite #summit, edited")
    poll = feeds.status_create(author=alice, body="Lunch?", poll={"options": ["Pizza", "Salad"]})
    comment = feeds.comment_create(author=bob, status=status, body="Great day")
    files = files_of(status)
    assert files and all(default_storage.exists(name) for name in files)
    set_policy(compliance, statuses=30)
    for old in (status, poll):
        age(old, 31)
    fresh = feeds.status_create(author=alice, body="Written today")

    with django_capture_on_commit_callbacks(execute=True):
        counts = retention_run()

    assert counts["statuses"] == 2
    status.refresh_from_db()
    assert status.removal == "retention" and status.removal_reason == TEXT_30
    assert status.body == "" and status.body_html == "" and status.removed_by is None
    assert not StatusRevision.objects.filter(status=status).exists()
    assert not Poll.objects.filter(status=poll).exists()
    assert not status.mentions.exists() and not status.hashtags.exists()
    assert Hashtag.objects.filter(name="summit").exists()  # the tag itself stays for others
    assert not Attachment.objects.filter(owner_id=status.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    # Counts stay consistent: the comment keeps its place under the tombstone.
    assert status.comment_count == 1 == Comment.objects.filter(status=status).count()
    assert Comment.objects.get(pk=comment.pk).body == "Great day"  # comments follow their own
    fresh.refresh_from_db()
    assert fresh.body == "Written today" and not fresh.removal

    # The API, the status page, the feed card and the live event all say what happened.
    data = api_for(bob).get(f"/api/v1/statuses/{status.pk}/").json()
    assert (data["removal"], data["removal_reason"], data["body"]) == ("retention", TEXT_30, "")
    assert data["is_removed"] is True and data["attachments"] == []
    client = api_for(bob)
    page = client.get(f"/statuses/{status.pk}/").content.decode()
    assert TEXT_30 in page and "Our offsite" not in page
    cards = client.get(f"/statuses/cards/?ids={status.pk}").content.decode()
    assert TEXT_30 in cards and "/compliance/policy/" in cards
    updated = [
        e for e in events if e["type"] == "status.updated" and e["status"]["id"] == status.pk
    ]
    assert updated and updated[-1]["status"]["removal"] == "retention"
    assert updated[-1]["status"]["removal_reason"] == TEXT_30
    assert updated[-1]["status"]["body"] == ""


def test_the_author_can_no_longer_delete_a_retention_tombstone(alice, compliance):
    status = feeds.status_create(author=alice, body="Old news")
    set_policy(compliance, statuses=30)
    age(status, 40)
    retention_run()
    response = api_for(alice).delete(f"/api/v1/statuses/{status.pk}/")
    assert response.status_code == 400
    assert "retention" in str(response.json())
    status.refresh_from_db()
    assert status.removal == "retention"


def test_a_comment_past_retention_becomes_a_tombstone_and_counts_do_not_change(
    alice, bob, compliance, django_capture_on_commit_callbacks
):
    status = feeds.status_create(author=alice, body="Question for the team")
    upload = make_upload(bob, media.picture())
    old = feeds.comment_create(
        author=bob, status=status, body="An old answer @alice", attachments=[upload.token]
    )
    new = feeds.comment_create(author=bob, status=status, body="A new answer")
    files = files_of(old)
    set_policy(compliance, comments=30)
    age(old, 31)
    with django_capture_on_commit_callbacks(execute=True):
        counts = retention_run()
    assert counts["comments"] == 1 and counts["statuses"] == 0
    old.refresh_from_db()
    assert (old.removal, old.removal_reason, old.body, old.body_html) == (
        "retention",
        TEXT_30,
        "",
        "",
    )
    assert not old.mentions.exists()
    assert not any(default_storage.exists(name) for name in files)
    status.refresh_from_db()
    assert status.comment_count == 2 == Comment.objects.filter(status=status).count()
    page = api_for(alice).get(f"/statuses/{status.pk}/").content.decode()
    assert TEXT_30 in page and "An old answer" not in page and "A new answer" in page
    listed = api_for(alice).get(f"/api/v1/statuses/{status.pk}/comments/").json()["results"]
    gone = next(c for c in listed if c["id"] == old.pk)
    assert (gone["removal"], gone["removal_reason"], gone["body"]) == ("retention", TEXT_30, "")
    new.refresh_from_db()
    assert new.body == "A new answer"


def test_a_run_is_audited_once_with_its_counts_and_a_second_run_finds_nothing(alice, compliance):
    set_policy(compliance, statuses=30, comments=30)
    status = feeds.status_create(author=alice, body="Old")
    age(status, 31)
    assert retention_run()["statuses"] == 1
    assert retention_run()["statuses"] == 0
    runs = AuditEntry.objects.filter(action=actions.RETENTION_RUN).order_by("id")
    assert runs.count() == 2
    assert runs[0].detail["counts"]["statuses"] == 1 and runs[0].actor is None
    assert runs[1].detail["counts"]["statuses"] == 0


def test_no_policy_keeps_everything(alice, bob):
    status = feeds.status_create(author=alice, body="Kept forever")
    comment = feeds.comment_create(author=bob, status=status, body="Me too")
    age(status, 5000)
    age(comment, 5000)
    assert set(retention_run().values()) == {0}
    status.refresh_from_db()
    assert status.body == "Kept forever" and not status.removal


def test_a_community_policy_overrides_the_company_one_for_its_content(alice, bob, compliance):
    short = communities.community_create(actor=alice, name="Short memory", slug="short")
    long = communities.community_create(actor=alice, name="Archive", slug="archive")
    set_policy(
        compliance,
        communities={"short": {"statuses": 7, "comments": 7}, "archive": {"statuses": 400}},
        statuses=365,
        comments=365,
    )
    in_short = feeds.status_create(author=alice, body="Ephemeral", community=short)
    in_company = feeds.status_create(author=alice, body="Company words")
    in_archive = feeds.status_create(author=alice, body="Archived words", community=long)
    company_old = feeds.status_create(author=alice, body="Company, older")
    comment = feeds.comment_create(author=alice, status=in_short, body="Short comment")
    for obj, days in ((in_short, 10), (in_company, 10), (comment, 10)):
        age(obj, days)
    for obj in (in_archive, company_old):
        age(obj, 370)

    counts = retention_run()

    assert counts["statuses"] == 2 and counts["comments"] == 1
    removed = {
        s.pk: s.removal_reason for s in Status.objects.filter(removal="retention").order_by("pk")
    }
    assert removed == {
        in_short.pk: "Removed by the retention policy after 7 days",
        company_old.pk: "Removed by the retention policy after 365 days",
    }
    for kept in (in_company, in_archive):
        kept.refresh_from_db()
        assert not kept.removal and kept.body
    comment.refresh_from_db()
    assert comment.removal_reason == "Removed by the retention policy after 7 days"


def test_blog_and_idea_cards_are_not_statuses_to_retention(ceo, alice, compliance):
    from exec_blog import services as blog
    from ideas import services as ideas

    post = blog.post_create(author=ceo, title="Our year", body="Text", status="published")
    idea = ideas.idea_create(author=alice, title="Quiet rooms", description="For all.")
    set_policy(compliance, statuses=1)
    Status.objects.update(created_at=timezone.now() - timedelta(days=10))
    assert retention_run()["statuses"] == 0
    post.refresh_from_db()
    idea.refresh_from_db()
    assert not post.card.removal and not idea.card.removal


def test_uploads_past_retention_lose_their_files_and_their_post_says_so(
    alice, bob, compliance, django_capture_on_commit_callbacks
):
    status = picture_status(alice, body="Team photo")
    files = files_of(status)
    set_policy(compliance, uploads=30)
    Attachment.objects.update(created_at=timezone.now() - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_run()["uploads"] == 1
    (attachment,) = Attachment.objects.all()
    assert attachment.is_removed and attachment.removal_reason == TEXT_30
    assert not attachment.file and not attachment.thumbnail and attachment.removed_by is None
    assert not any(default_storage.exists(name) for name in files)
    status.refresh_from_db()
    assert status.body == "Team photo"  # the status stays: only its picture is past its time
    page = api_for(bob).get(f"/statuses/{status.pk}/").content.decode()
    assert f"A picture:</strong> {TEXT_30}." in page
    assert api_for(bob).get(f"/files/{attachment.token}/").status_code == 404
    assert api_for(bob).get(f"/api/v1/statuses/{status.pk}/").json()["attachments"] == []


def test_notifications_past_retention_are_deleted(alice, bob, compliance):
    status = feeds.status_create(author=alice, body="Hello")
    feeds.comment_create(author=bob, status=status, body="Hi")
    (old,) = Notification.objects.filter(recipient=alice)
    feeds.reaction_add(user=bob, status=status, kind="like")
    set_policy(compliance, notifications=90)
    Notification.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=91),
        updated_at=timezone.now() - timedelta(days=91),
    )
    assert retention_run()["notifications"] == 1
    assert list(Notification.objects.filter(recipient=alice).values_list("kind", flat=True)) == [
        "reaction"
    ]


def test_activity_records_go_but_engagement_figures_for_past_periods_stay_the_same(
    client, hr_user, compliance
):
    _, sellers = team("Sales", 6)
    monday = last_monday()
    for week in (monday - timedelta(days=7), monday):
        act(sellers, Kind.VISIT, week)
        act(sellers, Kind.STATUS, week + timedelta(days=1))
        act(sellers[:5], Kind.COMMENT, week + timedelta(days=2), times=2)
    rollups_catch_up()
    # One more event, recorded but not yet added to the rollups: it must wait for them.
    act(sellers[:1], Kind.STATUS, monday + timedelta(days=3))
    queued = PendingEvent.objects.get().event_id
    client.force_login(hr_user)
    url = (
        f"/api/v1/reports/engagement/?start={monday - timedelta(days=7)}"
        f"&end={monday + timedelta(days=6)}"
    )
    before = client.get(url).json()
    assert before["rows"], before
    total = ActivityEvent.objects.count()

    set_policy(compliance, activity_events=30)
    counts = retention_run(now=timezone.now() + timedelta(days=60))

    pending = set(PendingEvent.objects.values_list("event_id", flat=True))
    assert queued in pending  # with HR's visit of today, also still queued
    assert counts["activity_events"] == total - len(pending) > 40
    # Those not yet in the rollups wait for them.
    assert set(ActivityEvent.objects.values_list("pk", flat=True)) == pending
    assert client.get(url).json() == before


def test_activity_records_go_by_whole_weeks_and_months():
    from governance.services import activity_cutoff_day

    now = timezone.make_aware(timezone.datetime(2026, 3, 18, 12))  # a Wednesday
    assert activity_cutoff_day(now) == timezone.datetime(2026, 3, 1).date()
    now = timezone.make_aware(timezone.datetime(2026, 4, 2, 12))  # a Thursday; week from 30 Mar
    assert activity_cutoff_day(now) == timezone.datetime(2026, 3, 30).date()


# --- Legal holds against retention ----------------------------------------------------------


def test_a_custodians_content_is_kept_until_the_hold_is_released_then_purged(
    alice, bob, compliance, django_capture_on_commit_callbacks
):
    held = picture_status(alice, body="Alice's old plan")
    held_comment = feeds.comment_create(author=alice, status=held, body="Alice adds")
    other = feeds.status_create(author=bob, body="Bob's old plan")
    files = files_of(held)
    for obj in (held, held_comment, other):
        age(obj, 100)
    Notification.objects.update(updated_at=timezone.now() - timedelta(days=100))
    set_policy(compliance, statuses=30, comments=30, uploads=30, notifications=30)
    Attachment.objects.update(created_at=timezone.now() - timedelta(days=100))
    hold = services.hold_place(actor=compliance, reason="Matter 42", custodians=["alice"])

    with django_capture_on_commit_callbacks(execute=True):
        counts = retention_run()

    assert counts["statuses"] == 1 and counts["comments"] == 0 and counts["uploads"] == 0
    held.refresh_from_db()
    held_comment.refresh_from_db()
    assert held.body == "Alice's old plan" and not held.removal
    assert held_comment.body == "Alice adds"
    assert all(default_storage.exists(name) for name in files)
    other.refresh_from_db()
    assert other.removal == "retention"

    services.hold_release(actor=compliance, hold=hold)
    with django_capture_on_commit_callbacks(execute=True):
        counts = retention_run()
    assert counts["statuses"] == 1 and counts["comments"] == 1
    held.refresh_from_db()
    assert held.removal == "retention" and held.body == ""
    assert not any(default_storage.exists(name) for name in files)


def test_a_held_communitys_content_is_kept_whoever_wrote_it(alice, bob, compliance):
    club = communities.community_create(actor=alice, name="Deal room", slug="deal-room")
    communities.membership_join(actor=bob, community=club)
    inside = feeds.status_create(author=bob, body="Terms", community=club)
    comment = feeds.comment_create(author=alice, status=inside, body="Agreed")
    outside = feeds.status_create(author=bob, body="Elsewhere")
    for obj in (inside, comment, outside):
        age(obj, 100)
    set_policy(compliance, statuses=30, comments=30)
    services.hold_place(actor=compliance, reason="Deal review", communities=["deal-room"])
    counts = retention_run()
    assert counts["statuses"] == 1 and counts["comments"] == 0
    inside.refresh_from_db()
    comment.refresh_from_db()
    assert inside.body == "Terms" and comment.body == "Agreed"


def test_held_activity_records_and_notifications_are_kept(alice, bob, compliance):
    status = feeds.status_create(author=bob, body="Hello")
    feeds.comment_create(author=alice, status=status, body="Hi")  # bob is told
    set_policy(compliance, notifications=1, activity_events=1)
    Notification.objects.update(updated_at=timezone.now() - timedelta(days=10))
    rollups_catch_up()
    services.hold_place(actor=compliance, reason="Matter 7", custodians=["alice"])
    counts = retention_run(now=timezone.now() + timedelta(days=60))
    assert counts["notifications"] == 0  # from alice, to bob: alice is on hold
    assert set(ActivityEvent.objects.values_list("actor_id", flat=True)) == {alice.pk}
    assert counts["activity_events"] == 1


def test_the_daily_job_is_scheduled_and_runs_in_the_job_runner(
    alice, compliance, django_capture_on_commit_callbacks
):
    job = next(j for j in periodic_jobs() if j.func == "governance.jobs.retention_apply")
    assert job.daily_at == time(3, 30)
    status = feeds.status_create(author=alice, body="Old")
    age(status, 31)
    set_policy(compliance, statuses=30)
    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue_on_commit("governance.jobs.retention_apply")
    (result,) = run_jobs()
    assert result["statuses"] == 1
    status.refresh_from_db()
    assert status.removal == "retention"


def test_a_status_written_during_a_hold_is_held_too(alice, compliance):
    services.hold_place(actor=compliance, reason="Matter 9", custodians=["alice"])
    status = feeds.status_create(author=alice, body="Written during the hold")
    age(status, 100)
    set_policy(compliance, statuses=30)
    assert retention_run()["statuses"] == 0


def test_many_statuses_are_purged_in_batches(alice, compliance, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 3)
    for i in range(7):
        feeds.status_create(author=alice, body=f"Old {i}")
    Status.objects.update(created_at=timezone.now() - timedelta(days=40))
    set_policy(compliance, statuses=30)
    assert retention_run()["statuses"] == 7
    assert not Status.objects.exclude(removal="retention").exists()


def test_a_leaver_can_be_a_custodian(compliance):
    leaver = UserFactory(username="leaver", is_active=False)
    hold = services.hold_place(actor=compliance, reason="Exit review", custodians=["leaver"])
    assert list(hold.custodians.all()) == [leaver]


def test_moderators_are_offered_nothing_to_do_on_a_retention_tombstone(
    alice, bob, moderator, compliance
):
    status = feeds.status_create(author=alice, body="Old news")
    comment = feeds.comment_create(author=bob, status=status, body="Old reply")
    live = feeds.status_create(author=alice, body="New news")
    feeds.comment_create(author=bob, status=live, body="Kept reply")
    age(status, 40)
    age(comment, 40)
    set_policy(compliance, statuses=30, comments=30)
    retention_run()
    client = api_for(moderator)
    cards = client.get(f"/statuses/cards/?ids={status.pk},{live.pk}").content.decode()
    assert cards.count("?action=hide") == 1  # the standing status only
    # The comment's tombstone, on a standing status, offers no Hide either.
    comment_old = feeds.comment_create(author=bob, status=live, body="Older reply")
    age(comment_old, 40)
    retention_run()
    page = client.get(f"/statuses/{live.pk}/").content.decode()
    assert f"/comments/{comment_old.pk}/moderate/" not in page
    assert TEXT_30 in page


def test_each_batch_starts_where_the_last_ended(alice, compliance, monkeypatch):
    """Rows a batch leaves selectable (here: a purge that does nothing) are not read again: a
    run over a long backlog reads each row once, never the purged ones over and over."""
    monkeypatch.setattr(services, "BATCH", 2)
    for _ in range(5):
        feeds.status_create(author=alice, body="Old")
    Status.objects.update(created_at=timezone.now() - timedelta(days=40))
    set_policy(compliance, statuses=30)
    seen = []
    monkeypatch.setattr(
        services, "_purge_statuses", lambda rows, **kw: seen.extend(s.pk for s in rows)
    )
    assert retention_run()["statuses"] == 5
    assert seen == sorted(Status.objects.values_list("pk", flat=True))


def test_a_batch_costs_the_same_queries_for_3_or_30_statuses(alice, bob, compliance):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_policy(compliance, statuses=30, comments=30)

    def run_over(n: int) -> int:
        for i in range(n):
            status = feeds.status_create(author=alice, body=f"Old {i} #tag @bob")
            feeds.comment_create(author=bob, status=status, body="Reply")
        Status.objects.update(created_at=timezone.now() - timedelta(days=40))
        Comment.objects.update(created_at=timezone.now() - timedelta(days=40))
        with CaptureQueriesContext(connection) as queries:
            retention_run()
        return len(queries)

    assert run_over(3) == run_over(30)


def test_a_run_out_of_time_audits_what_it_did_and_queues_the_rest(
    alice, compliance, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "BATCH", 2)
    for i in range(5):
        feeds.status_create(author=alice, body=f"Old {i}")
    Status.objects.update(created_at=timezone.now() - timedelta(days=40))
    set_policy(compliance, statuses=30)
    asked = []

    def up(clock):  # time is up before the third batch
        asked.append(1)
        clock.stopped = clock.stopped or len(asked) >= 3
        return clock.stopped

    monkeypatch.setattr(services._Clock, "up", up)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_run(budget_seconds=60)["statuses"] == 4
    entry = AuditEntry.objects.get(action=actions.RETENTION_RUN)
    assert entry.detail["finished"] is False and entry.detail["counts"]["statuses"] == 4
    monkeypatch.undo()
    monkeypatch.setattr(services, "BATCH", 2)
    (rest,) = run_jobs()  # the continuation the run queued, in the job runner
    assert rest["statuses"] == 1
    assert not Status.objects.exclude(removal="retention").exists()
    last = AuditEntry.objects.filter(action=actions.RETENTION_RUN).first()
    assert last.detail["finished"] is True


def test_the_clock_stops_a_run_only_past_its_budget():
    assert not services._Clock(None).up()
    assert not services._Clock(3600).up()
    clock = services._Clock(0)
    assert clock.up() and clock.stopped

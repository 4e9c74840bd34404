"""The job runner's glue (core.jobs) and the first jobs, run in this process."""

import asyncio
from dataclasses import asdict
from datetime import time, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_q.models import OrmQ, Schedule
from django_q.signing import SignedPackage

from activity.models import ActivityEvent, PendingEvent
from activity.services import Kind, activity_record
from core import jobs, realtime
from core.housekeeping import sessions_clear_expired
from core.models import OutboxEvent
from core.streaming import Hub
from engagement import jobs as engagement_jobs
from exec_blog import jobs as blog_jobs
from exec_blog import services
from exec_blog.models import BlogPost
from feeds.models import Status
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def queued() -> list[dict]:
    return [SignedPackage.loads(row.payload) for row in OrmQ.objects.order_by("pk")]


# --- glue -----------------------------------------------------------------------------------


def test_a_job_is_queued_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            jobs.job_enqueue_on_commit("exec_blog.jobs.posts_release")
            jobs.job_enqueue_on_commit(blog_jobs.posts_release)
            assert queued() == []
    tasks = queued()
    assert [t["func"] for t in tasks] == ["exec_blog.jobs.posts_release"] * 2
    assert tasks[0]["group"] == "exec_blog.jobs.posts_release"


def test_nothing_is_queued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                jobs.job_enqueue_on_commit("exec_blog.jobs.posts_release")
                raise RuntimeError("rolled back")
    assert queued() == []


def test_a_job_takes_ids_and_plain_values_never_objects(alice, django_capture_on_commit_callbacks):
    with pytest.raises(TypeError, match="ids and plain values"):
        jobs.job_enqueue_on_commit("tests.core.slow_jobs.slow_append", alice)
    with pytest.raises(TypeError):
        jobs.job_enqueue_on_commit("tests.core.slow_jobs.slow_append", user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_enqueue_on_commit("tests.core.slow_jobs.slow_append", alice.pk, ["a", 2], x=None)
    (task,) = queued()
    assert task["args"] == (alice.pk, ["a", 2]) and task["kwargs"] == {"x": None}


def test_run_at_schedules_once_and_a_new_time_replaces_the_old(django_capture_on_commit_callbacks):
    soon = timezone.now() + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_run_at("exec_blog.jobs.posts_release", when=soon, key="k")
        jobs.job_run_at("exec_blog.jobs.posts_release", when=soon + timedelta(hours=1), key="k")
    (row,) = Schedule.objects.filter(name="at:k")
    assert row.schedule_type == Schedule.ONCE and row.repeats == -1
    assert row.next_run == soon + timedelta(hours=1)


def test_run_at_waits_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            jobs.job_run_at("exec_blog.jobs.posts_release", when=timezone.now(), key="k")
            raise RuntimeError("rolled back")
    assert not Schedule.objects.exists()


def test_the_registry_holds_the_first_jobs():
    every = {job.func: (job.every_minutes, job.daily_at) for job in jobs.periodic_jobs()}
    assert every["exec_blog.jobs.posts_release"] == (1, None)
    assert every["engagement.jobs.rollups_catch_up"] == (1, None)
    assert every["core.housekeeping.sessions_clear_expired"][1] is not None


def test_schedules_sync_is_idempotent_and_tidies_up():
    now = timezone.now()
    Schedule.objects.create(name="periodic:gone.jobs.old", func="gone.jobs.old")
    Schedule.objects.create(name="at:blog-1", func="exec_blog.jobs.posts_release")
    jobs.schedules_sync(now=now)
    first = {
        s.name: (s.func, s.schedule_type, s.minutes, s.next_run) for s in Schedule.objects.all()
    }
    # A second worker starting at the same moment left a duplicate.
    Schedule.objects.create(
        name="periodic:exec_blog.jobs.posts_release", func="exec_blog.jobs.posts_release"
    )
    jobs.schedules_sync(now=now + timedelta(minutes=7))
    again = {
        s.name: (s.func, s.schedule_type, s.minutes, s.next_run) for s in Schedule.objects.all()
    }
    assert again == first
    assert "periodic:gone.jobs.old" not in first and "at:blog-1" in first
    release = first["periodic:exec_blog.jobs.posts_release"]
    assert release[1:3] == (Schedule.MINUTES, 1)
    assert release[3] == now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    sessions = first["periodic:core.housekeeping.sessions_clear_expired"]
    assert sessions[1] == Schedule.DAILY and now < sessions[3] <= now + timedelta(days=1)


def test_periodic_wants_one_timing():
    with pytest.raises(ValueError):
        jobs.periodic()
    with pytest.raises(ValueError):
        jobs.periodic(every_minutes=1, daily_at=time(3, 0))


# --- the first jobs -------------------------------------------------------------------------


@pytest.fixture
def published(monkeypatch):
    """The blog.published events this process publishes."""
    seen = []
    original = realtime.publish_many

    def spy(messages):
        seen.extend(m["event"] for m in messages if m["event"]["type"] == "blog.published")
        original(messages)

    monkeypatch.setattr(realtime, "publish_many", spy)
    return seen


def scheduled_post(ceo, *, ahead: timedelta) -> BlogPost:
    return services.post_create(
        author=ceo,
        title="Our year ahead",
        body="Plans.",
        status="published",
        publish_at=timezone.now() + ahead,
    )


def make_due(post: BlogPost) -> None:
    past = timezone.now() - timedelta(seconds=1)
    BlogPost.objects.filter(pk=post.pk).update(publish_at=past)
    Status.objects.filter(pk=post.card_id).update(created_at=past, announcement_until=past)


def test_scheduling_a_post_schedules_its_release_at_its_time(
    ceo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = scheduled_post(ceo, ahead=timedelta(hours=2))
    (row,) = Schedule.objects.filter(name=f"at:blog-{post.pk}")
    assert row.func == "exec_blog.jobs.posts_release" and row.next_run == post.publish_at
    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(actor=ceo, post=post, publish_at=post.publish_at + timedelta(days=1))
    (row,) = Schedule.objects.filter(name=f"at:blog-{post.pk}")
    assert row.next_run == post.publish_at


def test_the_release_job_announces_a_due_post_exactly_once_even_run_twice(
    ceo, alice, bob, published, django_capture_on_commit_callbacks
):
    post = scheduled_post(ceo, ahead=timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert blog_jobs.posts_release() == 0  # not yet due
    make_due(post)
    with django_capture_on_commit_callbacks(execute=True):
        assert blog_jobs.posts_release() == 1
        assert blog_jobs.posts_release() == 0
    notes = post.notifications.filter(kind="blog")
    assert sorted(n.recipient.username for n in notes) == ["alice", "bob"]
    assert [e["post"]["slug"] for e in published] == [post.slug]


def test_no_page_or_list_announces_a_due_post(ceo, alice_client, alice_api):
    post = scheduled_post(ceo, ahead=timedelta(minutes=1))
    make_due(post)
    for url in ("/", "/blog/", f"/blog/{post.slug}/"):
        assert alice_client.get(url).status_code == 200, url
    assert alice_api.get("/api/v1/blog/posts/").status_code == 200
    assert not Notification.objects.filter(kind="blog").exists()
    assert BlogPost.objects.get(pk=post.pk).announced_at is None


def test_the_rollups_job_adds_what_reports_no_longer_catch_up(alice, hr_user, client):
    activity_record(actor=alice, kind=Kind.STATUS)
    client.force_login(hr_user)
    page = client.get("/reports/engagement/")
    assert page.status_code == 200 and b"Activity counted up to" in page.content
    api = client.get("/api/v1/reports/engagement/").json()
    assert "counted_until" in api
    assert PendingEvent.objects.count() == ActivityEvent.objects.count() >= 1
    assert engagement_jobs.rollups_catch_up() >= 1
    assert not PendingEvent.objects.exists()
    assert engagement_jobs.rollups_catch_up() == 0


def test_the_sessions_job_removes_expired_sessions_only():
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.set_expiry(-1)
    expired.create()
    sessions_clear_expired()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


# --- live events from a process without sockets ---------------------------------------------


class Recorder:
    user_id = 1
    department_id = None
    session_key = None

    def __init__(self):
        self.followees = set()
        self.communities = set()
        self.events = []

    async def deliver(self, event, text):
        self.events.append(event)

    async def close_stream(self, code):
        pass


@pytest.mark.django_db(transaction=True)
async def test_without_redis_the_job_runners_events_reach_the_servers_hub(settings, monkeypatch):
    settings.REDIS_URL = ""
    hub, sub = Hub(), Recorder()
    hub.add(sub)
    await asyncio.sleep(0.2)  # the hub notes where the outbox ends
    monkeypatch.setattr(realtime, "_through_database", True)
    event = {"type": "blog.published", "post": {"slug": "s"}}
    audience = realtime.Audience(everyone=True)
    await asyncio.to_thread(realtime.publish_many, [{"event": event, "audience": asdict(audience)}])
    assert await asyncio.to_thread(OutboxEvent.objects.count) == 1
    for _ in range(30):
        if sub.events:
            break
        await asyncio.sleep(0.1)
    hub.remove(sub)
    assert sub.events == [event]

"""`seed_demo` gives the engagement report a year worth looking at, consistent with the content."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from activity.models import ActivityEvent, PendingEvent
from engagement.models import Rollup
from engagement.report import build, params_from
from exec_blog.models import BlogRead, Question
from feeds.models import Comment, Reaction, Status
from tests.conftest import seeded_module

pytestmark = pytest.mark.django_db
Kind = ActivityEvent.Kind


# A year of activity (tests elsewhere ask for 28 days); --activity-days: test_seed_activity_days.py.
OPTIONS = {"employees": 40, "statuses": 120, "activity_days": 365}
year = seeded_module("year", **OPTIONS)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", **OPTIONS, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seeded_activity_matches_the_content_and_covers_a_year(year):
    output = year
    assert "Activity ready for the engagement report" in output
    statuses = Status.objects.filter(blog_post=None, idea=None)
    # One event per row, at the row's own time.
    assert (
        ActivityEvent.objects.filter(
            kind=Kind.STATUS, day__gte=timezone.localdate() - timedelta(days=90)
        ).count()
        == statuses.count()
    )
    first = statuses.order_by("created_at").first()
    event = ActivityEvent.objects.get(kind=Kind.STATUS, object_id=first.pk)
    assert event.occurred_at == first.created_at
    assert event.department_id == (first.department_id or 0)
    assert (
        ActivityEvent.objects.filter(kind=Kind.COMMENT)
        .filter(object_id__in=Comment.objects.values("pk"))
        .count()
        == Comment.objects.count()
    )
    assert (
        ActivityEvent.objects.filter(
            kind=Kind.REACTION, day__gte=timezone.localdate() - timedelta(days=90)
        ).count()
        == Reaction.objects.count()
    )
    assert ActivityEvent.objects.filter(kind=Kind.BLOG_READ).count() == BlogRead.objects.count()
    anonymous = Question.objects.filter(anonymous=True).values("pk")
    assert not ActivityEvent.objects.filter(
        kind=Kind.QUESTION, object_id__in=anonymous, actor__isnull=False
    ).exists()
    # Nothing stamped "now" by the services while seeding survives.
    assert not ActivityEvent.objects.filter(
        kind__in=[Kind.STATUS, Kind.COMMENT, Kind.QUESTION],
        occurred_at__gte=timezone.now() - timedelta(minutes=5),
    ).exists()
    # A year, with weekends quieter than weekdays.
    days = ActivityEvent.objects.filter(kind=Kind.VISIT).values_list("day", flat=True)
    assert min(days) <= timezone.localdate() - timedelta(days=360)
    by_weekday = Counter(day.weekday() for day in days)
    assert by_weekday[2] > 3 * by_weekday[6]
    # Rolled up, and the report has something to show.
    assert not PendingEvent.objects.exists()
    assert Rollup.objects.filter(period="w").exists()
    report = build(params_from({}))
    assert not report.total.cells["wau"].suppressed


def test_a_second_run_creates_no_events(year):
    before = ActivityEvent.objects.count()
    rollups = set(Rollup.objects.values_list("period", "start", "department_id", "metric", "count"))
    assert "0 new events" in seed()
    assert ActivityEvent.objects.count() == before
    assert (
        set(Rollup.objects.values_list("period", "start", "department_id", "metric", "count"))
        == rollups
    )


def test_content_in_a_community_keeps_its_community(year):
    from communities.models import Community

    author = Status.objects.filter(blog_post=None, idea=None).first().author
    group = Community.objects.create(name="Seeded group", slug="seeded-group")
    when = timezone.now() - timedelta(days=2)
    status = Status.objects.create(
        author=author,
        body="In the group",
        body_html="In the group",
        community=group,
        created_at=when,
    )
    comment = Comment.objects.create(status=status, author=author, body="Yes", body_html="Yes")
    Reaction.objects.create(status=status, user=author, kind="like")
    assert "3 new events" in seed()
    assert ActivityEvent.objects.get(kind=Kind.STATUS, object_id=status.pk).community_id == group.pk
    assert (
        ActivityEvent.objects.get(kind=Kind.COMMENT, object_id=comment.pk).community_id == group.pk
    )
    assert (
        ActivityEvent.objects.get(kind=Kind.REACTION, object_id=status.pk).community_id == group.pk
    )
    # Every status event carries its status's community (the demo's communities too), no other.
    statuses = dict(Status.objects.values_list("pk", "community_id"))
    for object_id, community_id in ActivityEvent.objects.filter(kind=Kind.STATUS).values_list(
        "object_id", "community_id"
    ):
        assert community_id == statuses.get(object_id), object_id

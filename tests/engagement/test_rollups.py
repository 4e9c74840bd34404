"""Rollups kept up to date from the queue equal rollups rebuilt from the events."""

import random
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from activity.models import ActivityEvent, PendingEvent
from engagement.models import Rollup
from engagement.rollups import (
    ACTIVE,
    PARTICIPANT,
    month_start,
    rollups_catch_up,
    rollups_rebuild,
    unpack,
    week_start,
)
from tests.engagement.helpers import Kind, act, last_monday, team

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        (r.period, r.start, r.department_id, r.metric, r.subject): (
            r.count,
            r.people,
            r.person_days,
            tuple(sorted(unpack(r.members))),
        )
        for r in Rollup.objects.all()
    }


def test_catch_up_counts_people_once_and_person_days_per_day():
    sales, people = team("Sales", 3)
    monday = last_monday()
    act(people[:2], Kind.STATUS, monday)
    act(people[:1], Kind.STATUS, monday, times=2)
    act(people[:1], Kind.COMMENT, monday + timedelta(days=2))
    assert rollups_catch_up() == 5
    assert not PendingEvent.objects.exists()
    week = Rollup.objects.get(period="w", start=monday, department_id=sales.pk, metric=ACTIVE)
    assert (week.count, week.people, week.person_days) == (5, 2, 3)
    assert unpack(week.members) == {people[0].pk, people[1].pk}
    status = Rollup.objects.get(period="w", start=monday, department_id=sales.pk, metric="status")
    assert (status.count, status.people) == (4, 2)
    day = Rollup.objects.get(period="d", start=monday, department_id=sales.pk, metric=PARTICIPANT)
    assert (day.count, day.people, day.person_days) == (4, 2, 2)
    month = Rollup.objects.get(
        period="m", start=month_start(monday), department_id=sales.pk, metric=ACTIVE
    )
    assert month.people == 2


def test_catch_up_in_many_batches_equals_a_rebuild(monkeypatch):
    rng = random.Random(7)
    _, a = team("Alpha", 4)
    _, b = team("Beta", 3)
    start = last_monday() - timedelta(days=40)
    kinds = [Kind.STATUS, Kind.COMMENT, Kind.REACTION, Kind.VISIT, Kind.FOLLOW]
    for day in range(47):
        for person in a + b:
            if rng.random() < 0.5:
                kind = rng.choice(kinds)
                if (
                    kind == Kind.VISIT
                    and ActivityEvent.objects.filter(
                        kind=kind, actor=person, day=start + timedelta(days=day)
                    ).exists()
                ):
                    continue
                act([person], kind, start + timedelta(days=day))
    monkeypatch.setattr("engagement.rollups.CATCH_UP_BATCH", 7)
    rollups_catch_up()
    incremental = snapshot()
    rollups_rebuild(start=start, end=start + timedelta(days=46))
    assert snapshot() == incremental
    # And again: a rebuild is idempotent.
    rollups_rebuild(start=start, end=start + timedelta(days=46))
    assert snapshot() == incremental


def test_events_still_queued_during_a_rebuild_are_added_once():
    sales, people = team("Sales", 2)
    monday = last_monday()
    act(people, Kind.STATUS, monday)
    rollups_catch_up()
    act(people[:1], Kind.STATUS, monday + timedelta(days=1))  # queued, not yet rolled up
    rollups_rebuild(start=monday, end=monday + timedelta(days=6))
    assert PendingEvent.objects.count() == 1
    rollups_catch_up()
    week = Rollup.objects.get(period="w", start=monday, department_id=sales.pk, metric="status")
    assert week.count == 3


def test_rebuild_replaces_whole_weeks_and_months_around_the_range():
    sales, people = team("Sales", 1)
    monday = last_monday()
    act(people, Kind.STATUS, monday)
    rollups_catch_up()
    Rollup.objects.update(count=999)  # damage
    first, last, read = rollups_rebuild(start=monday + timedelta(days=3), end=monday)
    assert first <= min(week_start(monday), month_start(monday))
    assert read == 1
    assert set(Rollup.objects.values_list("count", flat=True)) == {1}


def test_command_catches_up_and_rebuilds(capsys):
    _, people = team("Sales", 2)
    monday = last_monday()
    act(people, Kind.STATUS, monday)
    call_command("rollup_engagement")
    assert "Added 2 pending events" in capsys.readouterr().out
    call_command("rollup_engagement", "--start", monday.isoformat(), "--end", monday.isoformat())
    assert "from 2 events" in capsys.readouterr().out
    call_command("rollup_engagement", "--all")
    assert "Rebuilt" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["--start", "yesterday"],
        ["--start", "2026-02-01", "--end", "2026-01-01"],
        ["--end", "2026-01-01"],
    ],
)
def test_command_refuses_bad_dates(args):
    with pytest.raises(CommandError):
        call_command("rollup_engagement", *args)


def test_headcount_snapshots_are_counted_once_and_kept(django_assert_max_num_queries):
    from django.utils import timezone

    from engagement.rollups import headcounts_on

    sales, people = team("Sales", 3)
    monday = last_monday()
    sunday = monday + timedelta(days=6)
    today = timezone.localdate()
    counted = headcounts_on([sunday, today])
    assert counted[(sales.pk, sunday)] == 3
    # The past day is stored (with a row for "no department"); today is not.
    stored = set(
        Rollup.objects.filter(metric="headcount").values_list("start", "department_id", "count")
    )
    assert (sunday, sales.pk, 3) in stored and (sunday, 0, 0) in stored
    assert not any(day == today for day, _d, _c in stored)
    # Someone leaves: the snapshot keeps who worked here that day.
    people[0].is_active = False
    people[0].save()
    with django_assert_max_num_queries(1):
        assert headcounts_on([sunday])[(sales.pk, sunday)] == 3
    rollups_rebuild(start=monday, end=sunday)
    assert headcounts_on([sunday])[(sales.pk, sunday)] == 3

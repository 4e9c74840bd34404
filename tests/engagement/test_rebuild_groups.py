"""A rebuild tallies the database's groups of identical events (issue 21): it must write
exactly the rows that tallying the events one by one writes, byte for byte, over events of
every kind and shape."""

import random
from datetime import date, timedelta

import pytest

from activity.models import ActivityEvent, PendingEvent
from engagement import rollups
from engagement.models import CommunityRollup, DepartmentWeek, Rollup
from engagement.rollups import HEADCOUNT, pack, rollups_rebuild, unpack
from tests.engagement.helpers import at

pytestmark = pytest.mark.django_db

Kind = ActivityEvent.Kind
FIRST = date(2026, 1, 20)  # a Tuesday: the rebuilt window starts on 1 January, mid-week
DAYS = 75  # into April: weeks and months that end outside the window too
BIG = 3_000_000_001  # above 2**31: still packed as an unsigned 32-bit id
PEOPLE = [*range(1, 40), 70_000, 16_777_217, BIG]
DEPARTMENTS = [0, 3, 8, 250]
COMMUNITIES = [None, None, 0, 5, 9, 300]


def varied_events(rng: random.Random) -> list[ActivityEvent]:
    events = []
    visited = set()
    for offset in range(-25, DAYS + 10):  # from late December into April
        day = FIRST + timedelta(days=offset)
        for _ in range(rng.randint(0, 60)):
            kind = rng.choice(Kind.values)
            actor = rng.choice(PEOPLE)
            if kind == Kind.VISIT:
                if (actor, day) in visited:
                    continue
                visited.add((actor, day))
            if kind == Kind.QUESTION and rng.random() < 0.3:
                actor = None  # anonymous
            value = (
                rng.choice([None, -3, 0, 2, 2, 40]) if kind in ("answer", "idea_decision") else None
            )
            events.append(
                ActivityEvent(
                    kind=kind,
                    actor_id=actor,
                    department_id=rng.choice(DEPARTMENTS),
                    community_id=rng.choice(COMMUNITIES),
                    occurred_at=at(day, rng.randint(0, 23)),
                    day=day,
                    object_id=rng.choice([None, 0, 1, 2, 7, 12_345]),
                    value=value,
                    about_id=rng.choice([None, 4, 5, 70_000, BIG]),
                )
            )
            if kind != Kind.VISIT and rng.random() < 0.3:
                # The same again: counted twice, the person once.
                events.append(ActivityEvent(**{
                    f.attname: getattr(events[-1], f.attname)
                    for f in ActivityEvent._meta.concrete_fields
                    if f.attname != "id"
                }))  # fmt: skip
    return events


def snapshot() -> dict:
    figures = {
        model.__name__: {
            (r.period, r.start, getattr(r, scope), r.metric, r.subject): (
                r.count,
                r.people,
                r.person_days,
                bytes(r.members),
            )
            for r in model.objects.all()
        }
        for model, scope in ((Rollup, "department_id"), (CommunityRollup, "community_id"))
    }
    figures["DepartmentWeek"] = {
        (w.start, w.department_id): tuple(
            getattr(w, f.attname) for f in DepartmentWeek._meta.concrete_fields if f.attname != "id"
        )
        for w in DepartmentWeek.objects.all()
    }
    return figures


def test_tallying_groups_writes_exactly_what_tallying_each_event_writes(monkeypatch):
    rng = random.Random(21)
    events = ActivityEvent.objects.bulk_create(varied_events(rng))
    # Still queued: left to the catch-up by both.
    PendingEvent.objects.bulk_create(PendingEvent(event_id=e.pk) for e in rng.sample(events, 40))
    # A headcount snapshot (kept by both), a damaged figure (replaced by both) and one of a
    # week that ends after the window (neither rebuilt nor removed).
    Rollup.objects.create(
        period="d", start=FIRST, department_id=3, metric=HEADCOUNT, count=7, people=7
    )
    for monday in (date(2026, 1, 26), date(2026, 3, 30)):
        Rollup.objects.create(period="w", start=monday, department_id=3, metric="status", count=999)
    start, end = FIRST + timedelta(days=3), FIRST + timedelta(days=DAYS - 20)

    grouped = rollups_rebuild(start=start, end=end)
    by_groups = snapshot()
    monkeypatch.setattr(rollups, "_groups_events", lambda: False)
    one_by_one = rollups_rebuild(start=start, end=end)
    by_events = snapshot()

    assert grouped == one_by_one
    assert by_groups["Rollup"] == by_events["Rollup"]
    assert by_groups["CommunityRollup"] == by_events["CommunityRollup"]
    assert by_groups["DepartmentWeek"] == by_events["DepartmentWeek"]
    # The events made figures of every kind, and the comparison had something to compare.
    window_start, window_end, counted = grouped
    in_window = [e for e in events if window_start <= e.day <= window_end]
    assert (
        counted
        == len(in_window)
        - PendingEvent.objects.filter(event_id__in=[e.pk for e in in_window]).count()
    )
    rows = by_groups["Rollup"]
    assert {key[0] for key in rows} == {"d", "w", "m"}
    assert {key[3] for key in rows} >= {*Kind.values, "active", "participant", "answer_hours",
                                        "idea_decided", "decision_hours", HEADCOUNT}  # fmt: skip
    assert {key[3] for key in by_groups["CommunityRollup"]} == set(rollups.COMMUNITY_METRICS)
    assert any(BIG in unpack(members) for *_figures, members in rows.values())
    assert len(by_groups["DepartmentWeek"]) >= 4 * len(DEPARTMENTS)
    assert (window_start, window_end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert rows[("w", date(2026, 1, 26), 3, "status", 0)][0] != 999
    assert rows[("w", date(2026, 3, 30), 3, "status", 0)][0] == 999
    assert ("w", date(2025, 12, 29), 3, "status", 0) not in rows  # it began before the window
    assert ("d", date(2026, 1, 2), 3, "active", 0) in rows


def test_members_are_packed_like_pack_does():
    day = FIRST
    people = [BIG, 5, 70_000, 5]
    ActivityEvent.objects.bulk_create(
        ActivityEvent(kind=Kind.STATUS, actor_id=p, department_id=2, day=day, occurred_at=at(day))
        for p in people
    )
    rollups_rebuild(start=day, end=day)
    row = Rollup.objects.get(period="d", start=day, department_id=2, metric="status")
    assert bytes(row.members) == pack({5, 70_000, BIG})
    assert (row.count, row.people, row.person_days) == (4, 3, 3)

"""One row per department and week carrying every figure the report reads (issue 21, part 4):
`DepartmentWeek` always equals the weekly `Rollup` rows it folds, whichever way the rollups
changed, and the report reads it."""

import random
from datetime import timedelta

import pytest

from activity.models import ActivityEvent
from engagement import report
from engagement.models import DepartmentWeek, Rollup
from engagement.report import DEPARTMENT_METRICS, build, params_from
from engagement.rollups import ACTIVE, rollups_catch_up, rollups_rebuild
from tests.engagement.helpers import Kind, act, last_monday, team

pytestmark = pytest.mark.django_db


def folded_from_rollups() -> dict:
    """What the report read before: (department, week, metric) -> (count, people, person days
    for `active`), from the weekly Rollup rows."""
    return {
        (r.department_id, r.start, r.metric): (
            r.count,
            r.people,
            r.person_days if r.metric == ACTIVE else 0,
        )
        for r in Rollup.objects.filter(period="w", subject=0, metric__in=DEPARTMENT_METRICS)
    }


def read_by_the_report(first, last) -> dict:
    return report._department_weeks(first, last)


def busy_weeks(seed: int = 3):
    rng = random.Random(seed)
    _, a = team("Alpha", 6)
    _, b = team("Beta", 5)
    start = last_monday() - timedelta(days=35)
    kinds = [Kind.STATUS, Kind.COMMENT, Kind.REACTION, Kind.IDEA, Kind.IDEA_VOTE, Kind.FOLLOW]
    for day in range(42):
        for person in a + b:
            if rng.random() < 0.4:
                act([person], rng.choice(kinds), start + timedelta(days=day))
    return start, start + timedelta(days=41)


def test_catch_up_keeps_department_weeks_equal_to_the_rollups(monkeypatch):
    first, last = busy_weeks()
    monkeypatch.setattr("engagement.rollups.CATCH_UP_BATCH", 9)  # many small merges
    rollups_catch_up()
    expected = folded_from_rollups()
    assert expected  # the weeks have figures at all
    assert read_by_the_report(first - timedelta(days=7), last) == expected
    # One row per department and week, not one per metric.
    weeks = {(dept, week) for dept, week, _m in expected}
    assert DepartmentWeek.objects.count() == len(weeks)


def test_rebuild_and_more_events_keep_them_equal():
    first, last = busy_weeks(seed=5)
    rollups_catch_up()
    DepartmentWeek.objects.update(status_count=999, active_people=0)  # damage
    rollups_rebuild(start=first, end=last)
    assert read_by_the_report(first - timedelta(days=7), last) == folded_from_rollups()
    # Events after the rebuild reach the rows through the catch-up.
    sales, people = team("Sales", 5)
    act(people, Kind.STATUS, last_monday())
    rollups_catch_up()
    found = DepartmentWeek.objects.get(department_id=sales.pk, start=last_monday())
    assert (found.status_count, found.status_people, found.active_people) == (5, 5, 5)
    assert read_by_the_report(first - timedelta(days=7), last) == folded_from_rollups()


def test_the_report_is_built_from_department_weeks():
    _, people = team("Sales", 6)
    for day in range(5):
        act(people, Kind.STATUS, last_monday() + timedelta(days=day))
    rollups_catch_up()
    params = params_from({"start": last_monday().isoformat(), "group_by": "department"})
    before = build(params)
    row = next(r for r in before.rows if r.label == "Sales")
    assert row.cells["wau"].value == 6
    assert row.cells["statuses_per_active"].value == 5.0
    # Nothing else is read for these figures: without the folded rows there are none.
    DepartmentWeek.objects.all().delete()
    after = build(params)
    assert next(r for r in after.rows if r.label == "Sales").cells["wau"].suppressed


def test_the_fold_covers_every_department_metric():
    assert DepartmentWeek.METRICS == DEPARTMENT_METRICS
    assert {m for m in DEPARTMENT_METRICS} <= {k.value for k in ActivityEvent.Kind} | {
        ACTIVE,
        "participant",
        "idea_decided",
    }

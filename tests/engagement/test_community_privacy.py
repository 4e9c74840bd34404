"""Property: over random communities (open, private, secret), random memberships, random
activity and random ranges, the report by community publishes no figure, and no difference
between figures, that rests on fewer than the minimum group; the total holds the rows and
nothing else but whole, usable blocks of secret communities; no secret community is named.
Checked against the raw events, independently of the rollup code."""

import json
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity.models import ActivityEvent
from communities.models import Community, Membership, State
from engagement.export import as_json, csv_rows
from engagement.report import build, params_from
from engagement.rollups import month_start, rollups_rebuild, week_start
from tests.engagement.helpers import at
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 4)  # a Wednesday: the week of 2 March is still running
FIRST = week_start(TODAY) - timedelta(days=49)  # a Monday: a burst stays in one week
PEOPLE = 14
GROUPS = 4
K = 5
KINDS = ["status", "comment", "reaction", "poll_vote"]


@pytest.fixture
def pool():
    department = DepartmentFactory(name="Everyone", slug="everyone")
    users = [UserFactory(username=f"p{i}", finish__department=department) for i in range(PEOPLE)]
    type(users[0]).objects.update(date_joined=at(date(2020, 1, 6)))
    return department, users


def raw_people(events, block) -> int:
    """How many different people a community block rests on, straight from the events."""
    (_kind, community), start, metric = block
    people = set()
    for e in events:
        if e["community"] != community:
            continue
        if metric == "active-month":
            if month_start(e["day"]) == start:
                people.add(e["actor"])
            continue
        if week_start(e["day"]) != start:
            continue
        if (
            metric == "active"
            or (metric == "participant" and e["kind"] in ("status", "comment"))
            or e["kind"] == metric
        ):
            people.add(e["actor"])
    return len(people)


event_strategy = st.tuples(
    st.integers(0, PEOPLE - 1),  # who
    st.integers(0, 48),  # day
    st.sampled_from(KINDS),
    st.integers(0, GROUPS - 1),  # which community
)
burst_strategy = st.tuples(
    st.integers(0, GROUPS - 1),  # community
    st.integers(0, 6),  # week
    st.sampled_from(KINDS),
    st.integers(3, 8),  # how many of its members take part
)


@given(
    visibilities=st.lists(
        st.sampled_from(["open", "private", "secret"]), min_size=GROUPS, max_size=GROUPS
    ),
    members=st.lists(
        st.lists(st.booleans(), min_size=PEOPLE, max_size=PEOPLE), min_size=GROUPS, max_size=GROUPS
    ),
    bursts=st.lists(burst_strategy, min_size=3, max_size=16),
    raw=st.lists(event_strategy, max_size=50),
    ranges=st.lists(st.tuples(st.integers(0, 55), st.integers(0, 55)), min_size=2, max_size=3),
)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_published_community_figure_rests_on_fewer_than_the_threshold(
    pool, visibilities, members, bursts, raw, ranges
):
    department, users = pool
    with transaction.atomic():
        groups = [
            Community.objects.create(
                name=f"Group {i} {visibility}", slug=f"group-{i}", visibility=visibility
            )
            for i, visibility in enumerate(visibilities)
        ]
        Membership.objects.bulk_create(
            Membership(
                community=group, user=user, state=State.ACTIVE, created_at=at(date(2020, 1, 6))
            )
            for group, chosen in zip(groups, members, strict=True)
            for user, member in zip(users, chosen, strict=True)
            if member
        )
        # A community's members doing the same thing in a week make blocks near the threshold.
        for group, week, kind, taking_part in bursts:
            chosen = [i for i, member in enumerate(members[group]) if member][:taking_part]
            raw = raw + [(i, week * 7 + i % 7, kind, group) for i in chosen]
        events = [
            {
                "kind": kind,
                "actor": users[who].pk,
                "day": FIRST + timedelta(days=day),
                "community": groups[group].pk,
            }
            for who, day, kind, group in raw
        ]
        ActivityEvent.objects.bulk_create(
            ActivityEvent(
                kind=e["kind"],
                actor_id=e["actor"],
                department_id=department.pk,
                community_id=e["community"],
                occurred_at=at(e["day"]),
                day=e["day"],
            )
            for e in events
        )
        rollups_rebuild(start=FIRST, end=TODAY)
        secret = {("community", g.pk) for g in groups if g.visibility == "secret"}
        names = {("community", g.pk): g.name for g in groups}

        published = []
        for a, b in ranges:
            first, last = sorted((a, b))
            query = {
                "start": (FIRST + timedelta(days=first)).isoformat(),
                "end": (FIRST + timedelta(days=last)).isoformat(),
                "group_by": "community",
            }
            report = build(params_from(query, today=TODAY), today=TODAY)
            # No secret community is named anywhere in what HR can read.
            text = json.dumps(as_json(report)) + "".join(",".join(row) for row in csv_rows(report))
            for scope in secret:
                assert names[scope] not in text
            assert all(r.label not in {names[s] for s in secret} for r in report.rows)

            cells = [
                (r.label, key, r.cells[key]) for r in report.rows for key, _l, _u in report.columns
            ]
            cells += [("total", key, report.total.cells[key]) for key, _l, _u in report.columns]
            for group, key, cell in cells:
                if cell.suppressed:
                    assert not cell.blocks
                    continue
                assert cell.blocks, "a published figure rests on no block"
                if set(cell.blocks) == {("headcount",)}:
                    assert cell.value >= K
                    continue
                for block in cell.blocks:
                    assert raw_people(events, block) >= K, (group, key, block)
                    if group != "total":
                        # A row rests on its own community's blocks only.
                        assert names[block[0]] == group
            # Complementary suppression: total minus rows is whole usable secret blocks.
            for key, _label, _unit in report.columns:
                if key == "headcount":
                    continue
                in_rows = set().union(*(set(r.cells[key].blocks) for r in report.rows))
                in_total = set(report.total.cells[key].blocks)
                assert in_rows <= in_total, key
                for block in in_total - in_rows:
                    assert block[0] in secret, (key, block)
            # Figures are exact for the blocks they show.
            wau = report.total.cells["wau"]
            if not wau.suppressed:
                weeks = {b[1] for b in wau.blocks}
                expected = sum(raw_people(events, b) for b in wau.blocks) / len(weeks)
                assert wau.value == round(expected, 1)
            published.append(cells)

        # Any two published figures, from any two of the reports, differ by whole blocks.
        by_key: dict = {}
        for cells in published:
            for group, key, cell in cells:
                if not cell.suppressed and set(cell.blocks) != {("headcount",)}:
                    by_key.setdefault((group, key), []).append(frozenset(cell.blocks))
        for block_sets in by_key.values():
            for one in block_sets:
                for other in block_sets:
                    for block in one ^ other:
                        assert raw_people(events, block) >= K
        transaction.set_rollback(True)

"""Property: over random small departments, random activity and random ranges and groupings,
no published figure, and no difference between published figures, rests on fewer than the
minimum group size. Checked against the raw events, independently of the rollup code."""

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activity.models import ActivityEvent
from engagement.report import COLUMNS, build, params_from
from engagement.rollups import month_start, rollups_rebuild, week_start
from exec_blog.models import BlogPost
from feeds.models import Hashtag
from profiles.models import Profile
from tests.engagement.helpers import at
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 4)  # a Wednesday: the week of 2 March is still running
FIRST = TODAY - timedelta(days=63)
PEOPLE = 22
K = 5
KINDS = [
    "visit",
    "status",
    "comment",
    "reaction",
    "hashtag",
    "blog_read",
    "question",
    "answer",
    "idea",
    "idea_vote",
    "idea_decision",
]


@pytest.fixture
def pool():
    departments = [DepartmentFactory(name=f"Team {i}", slug=f"team-{i}") for i in range(4)]
    users = [UserFactory(username=f"p{i}") for i in range(PEOPLE)]
    type(users[0]).objects.update(date_joined=at(date(2020, 1, 6)))
    tags = [Hashtag.objects.create(name=f"tag{i}") for i in range(3)]
    author = UserFactory(username="writer")
    posts = [
        BlogPost.objects.create(
            author=author, title=f"Post {i}", slug=f"post-{i}", body="x", body_html="x"
        )
        for i in range(2)
    ]
    return departments, users, tags, posts


def raw_people(events, block) -> int | None:
    """How many different people the block rests on, straight from the events."""
    if block == ("headcount",):
        return None
    scope, start, metric, *subject = block
    people = set()
    for e in events:
        if scope != "*" and e["department_id"] != scope:
            continue
        if metric == "active-month":
            if month_start(e["day"]) != start or e["actor"] is None:
                continue
            people.add(e["actor"])
            continue
        if week_start(e["day"]) != start:
            continue
        if subject and e["object_id"] != subject[0]:
            continue
        if metric == "active":
            # A decision counts for the author's department, not as the decider's activity.
            matches = e["actor"] is not None and e["kind"] != "idea_decision"
        elif metric == "participant":
            matches = e["kind"] in ("status", "comment")
        elif metric == "idea_decided":
            matches = e["kind"] == "idea_decision" and e["decided"]
        else:
            matches = e["kind"] == metric
        if matches:
            # Answers and decisions rest on the askers and authors; anything else on the actor.
            person = e["about"] if metric in ("answer", "idea_decided") else e["actor"]
            if person is not None:
                people.add(person)
    return len(people)


event_strategy = st.tuples(
    st.integers(0, PEOPLE - 1),  # who
    st.integers(0, 62),  # day
    st.sampled_from(KINDS),
    st.integers(0, 2),  # hashtag / post
    st.booleans(),  # moved department just before this
)


burst_strategy = st.tuples(
    st.integers(0, 3),  # team
    st.integers(0, 8),  # week
    st.sampled_from(KINDS),
    st.integers(0, 2),  # hashtag / post
    st.integers(1, 8),  # how many of the team take part
)


@given(
    teams=st.lists(st.integers(0, 4), min_size=PEOPLE, max_size=PEOPLE),
    bursts=st.lists(burst_strategy, max_size=30),
    raw=st.lists(event_strategy, max_size=80),
    ranges=st.lists(
        st.tuples(st.integers(0, 70), st.integers(0, 70), st.sampled_from(["department", "week"])),
        min_size=2,
        max_size=3,
    ),
)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_published_cell_or_difference_rests_on_fewer_than_the_threshold(
    pool, teams, bursts, raw, ranges
):
    departments, users, tags, posts = pool
    with transaction.atomic():
        for index, user in enumerate(users):
            team = departments[teams[index]] if teams[index] < 4 else None
            Profile.objects.filter(user=user).update(department=team)
        # Whole teams doing the same thing in a week make blocks near the threshold.
        for team, week, kind, subject, taking_part in bursts:
            members = [i for i, t in enumerate(teams) if t == team][:taking_part]
            raw = raw + [(i, week * 7 + i % 7, kind, subject, False) for i in members]
        events, seen_visits = [], set()
        for who, day, kind, subject, moved in raw:
            actor = users[who]
            department = teams[who] + 1 if not moved else (teams[who] + 2) % 5
            department_id = departments[department - 1].pk if 0 < department <= 4 else 0
            when = FIRST + timedelta(days=day)
            if kind == "visit":
                if (who, when) in seen_visits:
                    continue
                seen_visits.add((who, when))
            object_id = {"hashtag": tags[subject].pk, "blog_read": posts[subject % 2].pk}.get(kind)
            about = users[(who + 1) % PEOPLE].pk if kind in ("answer", "idea_decision") else None
            events.append(
                {
                    "kind": kind,
                    "actor": actor.pk,
                    "department_id": department_id,
                    "day": when,
                    "object_id": object_id,
                    "about": about,
                    "decided": kind == "idea_decision" and subject != 0,
                }
            )
        ActivityEvent.objects.bulk_create(
            ActivityEvent(
                kind=e["kind"],
                actor_id=e["actor"],
                department_id=e["department_id"],
                occurred_at=at(e["day"]),
                day=e["day"],
                object_id=e["object_id"],
                value=24 * (e["day"].day % 5) if e["kind"] == "answer" or e["decided"] else None,
                about_id=e["about"],
            )
            for e in events
        )
        rollups_rebuild(start=FIRST, end=TODAY)

        reports = []
        for a, b, group_by in ranges:
            first, last = sorted((a, b))
            query = {
                "start": (FIRST + timedelta(days=first)).isoformat(),
                "end": (FIRST + timedelta(days=last)).isoformat(),
                "group_by": group_by,
            }
            reports.append(build(params_from(query, today=TODAY), today=TODAY))

        published = []
        for report in reports:
            cells = [(r.label, key, r.cells[key]) for r in report.rows for key, _l, _u in COLUMNS]
            cells += [("total", key, report.total.cells[key]) for key, _l, _u in COLUMNS]
            cells += [("series", s["week"], s[k]) for s in report.series for k in ("dau", "wau")]
            cells += [("participation", label, c) for label, c in report.participation]
            cells += [("blog", r["post"].pk, r["reach"]) for r in report.blog_reach]
            cells += [("blog", r["post"].pk, r["readers"]) for r in report.blog_reach]
            cells += [("questions", name, c) for name, c in report.questions.items()]
            cells += [("hashtag", name, c) for name, c in report.hashtags]
            for _group, _key, cell in cells:
                if cell.suppressed:
                    assert not cell.blocks
                    continue
                assert cell.blocks, "a published figure rests on no block"
                for block in cell.blocks:
                    people = raw_people(events, block)
                    assert people is None or people >= K, (block, people)
                if set(cell.blocks) == {("headcount",)}:
                    assert cell.value >= K
            # The total is exactly the rows: total minus the visible rows hides nothing.
            for key, _label, _unit in COLUMNS:
                if key == "headcount":
                    continue
                in_rows = set().union(*(set(r.cells[key].blocks) for r in report.rows))
                assert set(report.total.cells[key].blocks) == in_rows, key
            # Figures are exact for the blocks they show.
            wau = report.total.cells["wau"]
            if not wau.suppressed:
                weeks = {b[1] for b in wau.blocks}
                expected = sum(raw_people(events, b) for b in wau.blocks) / len(weeks)
                assert wau.value == round(expected, 1)
            published.append(cells)

        # Any two published figures, from any two of the reports, differ by whole blocks.
        by_key = defaultdict(list)
        for cells in published:
            for group, key, cell in cells:
                if not cell.suppressed:
                    by_key[(group, key)].append(frozenset(cell.blocks))
        for block_sets in by_key.values():
            for one in block_sets:
                for other in block_sets:
                    for block in one ^ other:
                        people = raw_people(events, block)
                        assert people is None or people >= K
        transaction.set_rollback(True)

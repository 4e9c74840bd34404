"""Engagement report at company scale: a year of activity events, 10,000 employees.

Part of `make bench` (`python -m bench --only engagement`; `python -m bench.engagement` is the
same). Replaces the activity record of the bench database with 1,000,000 generated events over
the last 12 months (100,000 with --quick): a weekly rhythm, holidays, people who look in daily
and people who rarely do, departments that differ. Then measures, in the same run:

- the full rollup rebuild beside its floor: reading the same events once with a bare cursor;
- the incremental catch-up of 10,000 new events recorded through the service;
- the report for a whole year (by department, by week and by community) through Django's whole
  stack
  in-process (session, permission, the rollup check, building, JSON), beside its floor: the
  report's main rollup query alone with a bare cursor.

A share of the statuses, comments, reactions and poll votes of people who are active members of
communities in the bench database happen in one of their communities (COMMUNITY_SHARE), so the
rebuild and the report by community have community figures to work with.

Targets (issue 6): report p95 under 50 ms, full rebuild under 60 s.
"""

import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta

REPORT_TARGET_MS = 50
REBUILD_TARGET_S = 60
WEEKDAY = (1.0, 1.0, 1.0, 0.95, 0.8, 0.1, 0.06)
# What people do, by share of the events that are not visits.
ACTIONS = (
    ("reaction", 0.44),
    ("comment", 0.18),
    ("status", 0.13),
    ("hashtag", 0.08),
    ("blog_read", 0.07),
    ("vote", 0.04),
    ("follow", 0.03),
    ("question", 0.015),
    ("idea_vote", 0.015),
    ("poll_vote", 0.01),
)
IN_COMMUNITIES = frozenset({"status", "comment", "reaction", "poll_vote"})
COMMUNITY_SHARE = 0.3


def generate(events: int, today: date, seed: int = 6) -> tuple[int, date]:
    """Replace the activity record with `events` generated events over the last 12 months."""
    from django.db import connection

    from communities.models import Membership, State
    from profiles.models import Profile

    rng = random.Random(seed)  # noqa: S311 - benchmark data
    people = list(
        Profile.objects.filter(user__is_active=True).values_list("user_id", "department_id")
    )
    communities_of: dict[int, list[int]] = {}
    for user_id, community_id in Membership.objects.filter(state=State.ACTIVE).values_list(
        "user_id", "community_id"
    ):
        communities_of.setdefault(user_id, []).append(community_id)
    in_community = 0
    departments = sorted({d or 0 for _u, d in people})
    keen = {d: 0.5 + rng.random() * 0.8 for d in departments}
    first = today - timedelta(days=364)
    days = [first + timedelta(days=i) for i in range(365)]
    rhythm = [
        WEEKDAY[d.weekday()]
        * (0.35 if (d.month, d.day) >= (12, 20) or d <= date(d.year, 1, 3) else 1)
        for d in days
    ]
    # Habits: visits per person on a working day; half of the events are visits.
    habits = []
    for user_id, department_id in people:
        roll = rng.random()
        habit = (
            0.05 + rng.random() * 0.1
            if roll < 0.3
            else 0.15 + rng.random() * 0.3
            if roll < 0.85
            else 0.5 + rng.random() * 0.4
        )
        habits.append((user_id, department_id or 0, habit * keen[department_id or 0]))
    expected_visits = sum(h for _u, _d, h in habits) * sum(rhythm)
    scale = (events * 0.55) / expected_visits
    actions_per_visit = 0.45 / 0.55
    names = [n for n, _w in ACTIONS]
    cumulative = []
    total = 0.0
    for _n, weight in ACTIONS:
        total += weight
        cumulative.append(total)
    made = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE engagement_activityevent, engagement_pendingevent, engagement_rollup, "
            "engagement_communityrollup, engagement_departmentweek RESTART IDENTITY"
        )
        columns = (
            "kind, actor_id, department_id, occurred_at, day, object_id, value, about_id, "
            "community_id"
        )
        with cursor.cursor.copy(f"COPY engagement_activityevent ({columns}) FROM STDIN") as copy:
            for day, weight in zip(days, rhythm, strict=True):
                midnight = datetime(
                    day.year, day.month, day.day, 7, tzinfo=datetime.now().astimezone().tzinfo
                )
                for user_id, department_id, habit in habits:
                    if made >= events or rng.random() >= min(0.98, habit * weight * scale):
                        continue
                    at = midnight + timedelta(minutes=int(rng.random() * 600))
                    copy.write_row(
                        ("visit", user_id, department_id, at, day, None, None, None, None)
                    )
                    made += 1
                    extra = int(rng.expovariate(1 / actions_per_visit) + 0.5)
                    for _ in range(extra):
                        if made >= events:
                            break
                        kind = names[min(_bisect(cumulative, rng.random() * total), len(names) - 1)]
                        object_id = (
                            rng.randrange(1, 300) if kind in ("hashtag", "blog_read") else None
                        )
                        community_id = None
                        mine = communities_of.get(user_id)
                        if mine and kind in IN_COMMUNITIES and rng.random() < COMMUNITY_SHARE:
                            community_id = mine[int(rng.random() * len(mine))]
                            in_community += 1
                        copy.write_row(
                            (
                                kind,
                                user_id,
                                department_id,
                                at,
                                day,
                                object_id,
                                None,
                                None,
                                community_id,
                            )
                        )
                        made += 1
        cursor.execute("ANALYZE engagement_activityevent")
    took = time.perf_counter() - started
    print(
        f"Generated {made:,} events for {len(people):,} people in {took:.1f} s "
        f"({in_community:,} in {len(communities_of):,} members' communities).",
        flush=True,
    )
    return made, first


def _bisect(cumulative: list[float], value: float) -> int:
    low, high = 0, len(cumulative)
    while low < high:
        mid = (low + high) // 2
        if cumulative[mid] < value:
            low = mid + 1
        else:
            high = mid
    return low


def run(ctx) -> list:
    """The engagement group of `python -m bench` (Django is set up with production settings)."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from activity.services import activity_record
    from engagement.rollups import rollups_catch_up, rollups_rebuild
    from profiles.models import User
    from profiles.permissions import HR

    from .common import Result, log

    events = 100_000 if ctx.quick else 1_000_000
    repeat = 15 if ctx.quick else 50
    today = timezone.localdate()
    first = today - timedelta(days=364)
    made, first = generate(events, today)
    log(f"engagement: {made:,} events generated")

    # Floor for the rebuild: read every event once, bare.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, kind, actor_id, department_id, day, object_id, value, about_id "
            "FROM engagement_activityevent WHERE day BETWEEN %s AND %s",
            [first, today],
        )
        read = len(cursor.fetchall())
    read_floor = time.perf_counter() - started

    started = time.perf_counter()
    window = rollups_rebuild(start=first, end=today)
    rebuild = time.perf_counter() - started
    log(f"engagement: rebuilt the rollups from {window[2]:,} events in {rebuild:.1f} s")

    # Incremental: 10,000 new events through the service, then one catch-up.
    actors = list(User.objects.filter(is_active=True).select_related("profile")[:2000])
    for i in range(10_000):
        activity_record(actor=actors[i % len(actors)], kind="reaction", object_id=i)
    started = time.perf_counter()
    rollups_catch_up()
    catch_up = time.perf_counter() - started

    hr, _ = User.objects.get_or_create(
        username="bench-hr", defaults={"email": "hr@bench.example.com"}
    )
    hr.groups.add(Group.objects.get(name=HR))
    client = Client(HTTP_HOST="localhost")
    client.force_login(hr)
    year = {"start": first.isoformat(), "end": today.isoformat()}
    timings = {}
    for group_by in ("department", "week", "community"):
        query = {**year, "group_by": group_by}
        first_answer = client.get("/api/v1/reports/engagement/", query)  # connections, imports
        if first_answer.status_code != 200:
            raise RuntimeError(f"report answered {first_answer.status_code}")
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get("/api/v1/reports/engagement/", query)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:200]  # noqa: S101
        timings[group_by] = samples
    # Floor for the report: its main rollup query alone, bare.
    floor = []
    week_first = first - timedelta(days=first.weekday())
    for _ in range(repeat):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT start, department_id, metric, count, people, person_days "
                "FROM engagement_rollup WHERE period = 'w' AND start BETWEEN %s AND %s "
                "AND subject = 0 "
                "AND metric IN ('active', 'participant', 'status', 'comment', 'reaction')",
                [week_first, today],
            )
            cursor.fetchall()
        floor.append((time.perf_counter() - started) * 1000)
    floor_median = statistics.median(floor)

    results = [
        Result(
            scenario=f"engagement rollup rebuild, 12 months, {window[2]:,} events",
            unit="s",
            value=rebuild,
            floor=read_floor,
            ratio=rebuild / read_floor if read_floor else None,
            target=f"< {REBUILD_TARGET_S} s",
            passed=rebuild < REBUILD_TARGET_S,
            samples=1,
            notes=f"floor: read the {read:,} events once with a bare cursor",
        ),
        Result(
            scenario="engagement catch-up of 10,000 new events",
            unit="s",
            value=catch_up,
            target="",
            passed=None,
            samples=1,
        ),
    ]
    for group_by, samples in timings.items():
        result = Result.from_samples(
            f"engagement report, a year by {group_by}",
            samples,
            floor=floor_median,
            target=f"p95 < {REPORT_TARGET_MS} ms",
            passed=None,
            notes="floor: the report's main rollup query alone",
        )
        result.ratio = result.median / floor_median
        result.passed = result.p95 < REPORT_TARGET_MS
        results.append(result)
    return results


def main() -> None:
    """`python -m bench.engagement`: this group alone, through the runner."""
    from bench.__main__ import main as bench_main

    sys.exit(bench_main(["--only", "engagement", *sys.argv[1:]]))


if __name__ == "__main__":
    main()

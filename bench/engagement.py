"""Engagement report at company scale: 1,000,000 activity events, 10,000 employees, 12 months.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/enterprise_social_bench \
        .venv/bin/python -m bench.engagement [--events 1000000] [--employees 10000]

PostgreSQL only. Seeds the people if the database has fewer (`seed_demo --statuses 0`),
replaces the activity record with a generated year (weekly rhythm, holidays, people who look
in daily and people who rarely do, departments that differ), then measures, in this run:

- the full rollup rebuild (`rollup_engagement --all`), beside its floor: reading the same
  events once with a bare cursor;
- the incremental catch-up of 10,000 new events;
- the report for a whole year (by department and by week), through the API view in-process
  (parameters, rollup check, build, JSON), beside its floor: the report's main rollup query
  alone with a bare cursor.

Targets (issue 6): report under 50 ms, full rebuild under 60 s. Prints a table and writes
bench/results/engagement.json.
"""

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
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


def fail(message: str) -> None:
    sys.exit(f"bench.engagement: {message}")


def setup(employees: int) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        fail("set DATABASE_URL to a PostgreSQL database (benchmarks never run on SQLite).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_social.settings")
    # Production settings, in-process (the API view through Django's test client).
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    import django

    try:
        django.setup()
        from django.db import connection

        connection.ensure_connection()
    except Exception as exc:  # noqa: BLE001 - any reason the database is unreachable
        fail(f"PostgreSQL is unreachable at {url}: {exc}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from profiles.models import User

    if User.objects.count() < employees:
        print(f"Seeding {employees:,} people (seed_demo --statuses 0)…", flush=True)
        call_command("seed_demo", employees=employees, statuses=0, verbosity=0)
    with connection.cursor() as cursor:
        # A running database has statistics (autovacuum); a freshly seeded one not yet.
        cursor.execute("ANALYZE")


def generate(events: int, today: date, seed: int = 6) -> tuple[int, date]:
    """Replace the activity record with `events` generated events over the last 12 months."""
    from django.db import connection

    from profiles.models import Profile

    rng = random.Random(seed)  # noqa: S311 - benchmark data
    people = list(
        Profile.objects.filter(user__is_active=True).values_list("user_id", "department_id")
    )
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
            "TRUNCATE engagement_activityevent, engagement_pendingevent, engagement_rollup "
            "RESTART IDENTITY"
        )
        columns = "kind, actor_id, department_id, occurred_at, day, object_id, value, about_id"
        with cursor.cursor.copy(f"COPY engagement_activityevent ({columns}) FROM STDIN") as copy:
            for day, weight in zip(days, rhythm, strict=True):
                midnight = datetime(
                    day.year, day.month, day.day, 7, tzinfo=datetime.now().astimezone().tzinfo
                )
                for user_id, department_id, habit in habits:
                    if made >= events or rng.random() >= min(0.98, habit * weight * scale):
                        continue
                    at = midnight + timedelta(minutes=int(rng.random() * 600))
                    copy.write_row(("visit", user_id, department_id, at, day, None, None, None))
                    made += 1
                    extra = int(rng.expovariate(1 / actions_per_visit) + 0.5)
                    for _ in range(extra):
                        if made >= events:
                            break
                        kind = names[min(_bisect(cumulative, rng.random() * total), len(names) - 1)]
                        object_id = (
                            rng.randrange(1, 300) if kind in ("hashtag", "blog_read") else None
                        )
                        copy.write_row(
                            (kind, user_id, department_id, at, day, object_id, None, None)
                        )
                        made += 1
        cursor.execute("ANALYZE engagement_activityevent")
    took = time.perf_counter() - started
    print(f"Generated {made:,} events for {len(people):,} people in {took:.1f} s.", flush=True)
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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Keep the events of an earlier run if there are enough.",
    )
    args = parser.parse_args()
    setup(args.employees)

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from engagement.models import ActivityEvent
    from engagement.rollups import rollups_catch_up, rollups_rebuild
    from engagement.services import activity_record
    from profiles.models import User
    from profiles.permissions import HR

    today = timezone.localdate()
    first = today - timedelta(days=364)
    if not (args.reuse and ActivityEvent.objects.count() >= args.events * 0.95):
        made, first = generate(args.events, today)

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
    print(f"Rebuilt the rollups from {window[2]:,} events in {rebuild:.1f} s.", flush=True)

    # Incremental: 10,000 new events through the service, then one catch-up.
    actors = list(User.objects.filter(is_active=True).select_related("profile")[:2000])
    for i in range(10_000):
        activity_record(actor=actors[i % len(actors)], kind="reaction", object_id=i)
    started = time.perf_counter()
    caught_up = rollups_catch_up()
    catch_up = time.perf_counter() - started

    hr, _ = User.objects.get_or_create(
        username="bench-hr", defaults={"email": "hr@bench.example.com"}
    )
    from django.contrib.auth.models import Group

    hr.groups.add(Group.objects.get(name=HR))
    client = Client()
    client.force_login(hr)
    year = {"start": first.isoformat(), "end": today.isoformat()}
    results = {}
    for group_by in ("department", "week"):
        query = {**year, "group_by": group_by}
        assert (
            client.get("/api/v1/reports/engagement/", query, secure=True).status_code == 200
        )  # warm
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get("/api/v1/reports/engagement/", query, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:200]
        results[group_by] = timings
    # Floor for the report: its main rollup query alone, bare.
    floor = []
    week_first = first - timedelta(days=first.weekday())
    for _ in range(args.repeat):
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
    events_total = ActivityEvent.objects.count()

    floor_median = statistics.median(floor)
    rows = [
        ("rollup rebuild, 12 months (s)", rebuild, rebuild, read_floor, REBUILD_TARGET_S),
        ("catch-up of 10,000 new events (s)", catch_up, catch_up, None, None),
    ]
    for group_by, timings in results.items():
        rows.append(
            (
                f"report, a year by {group_by} (ms)",
                statistics.median(timings),
                percentile(timings, 0.95),
                floor_median,
                REPORT_TARGET_MS,
            )
        )
    print()
    print(
        f"Engagement: {events_total:,} events, {len(actors) and User.objects.count():,} accounts, "
        f"{read:,} events read by the floor query"
    )
    header = (
        f"{'scenario':40} {'median':>9} {'p95':>9} {'floor':>9} {'ratio':>7} {'target':>8}  pass"
    )
    print(header)
    print("-" * len(header))
    output = []
    for name, median, p95, base, target in rows:
        ratio = median / base if base else None
        passed = target is None or p95 < target
        print(
            f"{name:40} {median:9.2f} {p95:9.2f} "
            f"{base if base is not None else float('nan'):9.2f} "
            f"{ratio if ratio else float('nan'):7.1f} {target if target else '':>8}  "
            f"{'yes' if passed else 'NO'}"
        )
        output.append(
            {
                "scenario": name,
                "median": median,
                "p95": p95,
                "floor": base,
                "ratio": ratio,
                "target": target,
                "pass": passed,
            }
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "engagement.json").write_text(
        json.dumps({"events": events_total, "caught_up": caught_up, "results": output}, indent=2)
    )
    if not all(r["pass"] for r in output):
        sys.exit(1)


if __name__ == "__main__":
    main()

"""The bench company: a seeded company (`seed_demo`) and the accounts the scenarios act as.

`prepare_database(ctx, reseed=...)` (before Django is set up in this process) makes sure the
bench database holds a company of `ctx.employees` people and `ctx.statuses` statuses, seeding a
fresh database when it does not (or when asked), and returns the seed's wall time when it ran.

`ensure_accounts(ctx)` (after `django.setup()`) adds, idempotently:

- four feed viewers in the largest department (`ctx.viewers`):
  `follows_1000` follows the 1,000 people who post most; `follows_10` follows 10 people who
  rarely post; `follows_none` follows nobody (their feed is the department and announcements);
  `communities_50` follows nobody and is an active member of the 50 communities with the most
  statuses (their feed is the department, announcements and one branch per community);
- `ctx.shared["writers"]`: 200 writers (`bench-writer-NNN`). The product limits statuses per
  person per minute, so the write scenarios rotate through many people as a real company does;
- `ctx.shared["followers"]`: `ctx.followers` seeded employees, each following every writer;
- `ctx.shared["idle"]`: `ctx.idle_sockets` seeded employees for the idle-socket scenario.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

from .common import PASSWORD, ROOT_DIR, BenchError, Context, log

WRITERS = 200
VIEWERS = {
    "follows_1000": "bench-viewer-1000",
    "follows_10": "bench-viewer-10",
    "follows_none": "bench-viewer-none",
    "communities_50": "bench-viewer-communities",
}
# The viewers the load scenarios share (the same three as before communities, for comparison).
LOAD_VIEWERS = ("follows_1000", "follows_10", "follows_none")
COMMUNITIES = 50


def _admin_conninfo(database_url: str) -> tuple[str, str]:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    return parts._replace(path="/postgres").geturl(), name


def check_services(database_url: str, redis_url: str) -> None:
    """Fail clearly, never fall back, when PostgreSQL or Redis cannot be reached."""
    import psycopg
    import redis

    if not database_url.startswith(("postgres://", "postgresql://")):
        raise BenchError(f"benchmarks run on PostgreSQL only; DATABASE_URL is {database_url!r}")
    admin, _ = _admin_conninfo(database_url)
    try:
        psycopg.connect(admin, connect_timeout=3).close()
    except psycopg.Error as exc:
        raise BenchError(f"PostgreSQL unreachable at {admin}: {exc}".strip()) from None
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise BenchError(f"Redis unreachable at {redis_url}: {exc}") from None


def _counts(database_url: str) -> tuple[int, int, int] | None:
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=3) as conn:
            people = conn.execute(
                "SELECT count(*) FROM profiles_user WHERE username NOT LIKE 'bench-%'"
            ).fetchone()[0]
            statuses = conn.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE relname = 'feeds_status'"
            ).fetchone()[0]
            if statuses < 0 or statuses < 100_000:  # never analysed, or small: count exactly
                statuses = conn.execute("SELECT count(*) FROM feeds_status").fetchone()[0]
            communities = conn.execute("SELECT count(*) FROM communities_community").fetchone()[0]
            return people, statuses, communities
    except psycopg.Error:
        return None


def _manage(args: list[str], env: dict) -> None:
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT_DIR,
        env={**os.environ, **env},
        check=True,
    )


def prepare_database(ctx: Context, *, reseed: bool) -> float | None:
    """Seed a fresh bench database unless it already holds the company; the seed's seconds."""
    import psycopg

    counts = None if reseed else _counts(ctx.database_url)
    if counts is not None:
        people, statuses, communities = counts
        # A company seeded before communities has none: it is seeded again.
        if (
            people >= ctx.employees
            and statuses >= ctx.statuses * 0.98
            and communities >= COMMUNITIES
        ):
            log(f"reusing the company in the bench database ({people:,} people, ~{statuses:,})")
            _manage(["migrate", "--noinput", "-v0"], ctx.env)
            _manage(["collectstatic", "--noinput", "-v0"], ctx.env)
            return None
    admin, name = _admin_conninfo(ctx.database_url)
    log(f"creating a fresh database {name!r}")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _manage(["migrate", "--noinput", "-v0"], ctx.env)
    log(f"seed_demo --employees {ctx.employees} --statuses {ctx.statuses}")
    started = time.perf_counter()
    # The quick company draws four weeks of visits, not a year: the engagement scenario
    # replaces the activity record with its own year anyway.
    history = ["--activity-days", "28"] if ctx.quick else []
    _manage(
        ["seed_demo", "--employees", str(ctx.employees), "--statuses", str(ctx.statuses), *history],
        ctx.env,
    )
    seconds = time.perf_counter() - started
    log(f"seeded in {seconds:.0f} s")
    # A database that has been serving for a while has been vacuumed: the visibility map that
    # index-only scans rely on and hint bits are set. A freshly COPY-loaded one has neither,
    # and autovacuum would otherwise work through ten million rows during the measurements.
    vacuum_started = time.perf_counter()
    with psycopg.connect(ctx.database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    log(f"VACUUM (ANALYZE) in {time.perf_counter() - vacuum_started:.0f} s (not part of the seed)")
    # As a deployment does: production settings serve the collected, hashed static files.
    _manage(["collectstatic", "--noinput", "-v0"], ctx.env)
    return seconds


def _ensure_people(usernames: list[str], department_id: int) -> dict[str, int]:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from profiles.models import Profile, User

    existing = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
    missing = [u for u in usernames if u not in existing]
    if missing:
        password = make_password(PASSWORD)
        User.objects.bulk_create(
            [User(username=u, email=f"{u}@bench.example.com", password=password) for u in missing]
        )
        ids = dict(User.objects.filter(username__in=missing).values_list("username", "id"))
        Profile.objects.bulk_create(
            [
                Profile(
                    user_id=ids[u],
                    display_name=u.replace("-", " ").title(),
                    department_id=department_id,
                )
                for u in missing
            ],  # fmt: skip
            ignore_conflicts=True,
        )
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(
                    user_id=ids[u], email=f"{u}@bench.example.com", verified=True, primary=True
                )
                for u in missing
            ],  # fmt: skip
            ignore_conflicts=True,
        )
        existing.update(ids)
    return existing


def _follow(pairs: list[tuple[int, int]]) -> None:
    from profiles.models import Follow

    Follow.objects.bulk_create(
        [Follow(follower_id=a, followee_id=b) for a, b in pairs if a != b],
        batch_size=5_000,
        ignore_conflicts=True,
    )


def ensure_accounts(ctx: Context) -> None:
    from django.db import connection
    from django.db.models import Count

    from profiles.models import Follow, Profile, User

    started = time.perf_counter()
    department_id = (
        Profile.objects.exclude(user__username__startswith="bench-")
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("department_id", flat=True)
        .first()
    )
    if department_id is None:
        raise BenchError("the bench database holds no company; run without --reuse")
    ids = _ensure_people(list(VIEWERS.values()), department_id)
    ctx.viewers = dict(VIEWERS)

    # Who posts most and who rarely posts, from the statuses themselves.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT author_id, count(*) AS n FROM feeds_status GROUP BY author_id ORDER BY n DESC"
        )
        by_activity = [row[0] for row in cursor.fetchall()]
    bench_ids = set(User.objects.filter(username__startswith="bench-").values_list("id", flat=True))
    authors = [a for a in by_activity if a not in bench_ids]
    if len(authors) < 1_010:
        log(f"only {len(authors)} people have posted; the 1,000-follow viewer follows them all")
    viewer_1000 = ids[VIEWERS["follows_1000"]]
    viewer_10 = ids[VIEWERS["follows_10"]]
    if not Follow.objects.filter(follower_id=viewer_1000).exists():
        _follow([(viewer_1000, a) for a in authors[:1_000]])
        _follow([(viewer_10, a) for a in authors[-10:]])

    _join_communities(ids[VIEWERS["communities_50"]])

    writers = [f"bench-writer-{n:03d}" for n in range(WRITERS)]
    writer_ids = _ensure_people(writers, department_id)
    ctx.shared["writers"] = writers

    people = list(
        User.objects.filter(is_active=True, profile__isnull=False)
        .exclude(username__startswith="bench-")
        .order_by("id")
        .values_list("id", "username")[: max(ctx.followers, ctx.idle_sockets)]
    )
    followers = people[: ctx.followers]
    ctx.shared["followers"] = [u for _, u in followers]
    ctx.shared["idle"] = [u for _, u in people[: ctx.idle_sockets]]
    wanted = len(followers) * len(writer_ids)
    have = Follow.objects.filter(followee_id__in=writer_ids.values()).count()
    if have < wanted:
        _follow([(f, w) for f, _ in followers for w in writer_ids.values()])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE profiles_follow")
    log(f"bench accounts ready in {time.perf_counter() - started:.1f} s")


def _join_communities(user_id: int) -> None:
    """Make `user_id` an active member of the COMMUNITIES communities with the most statuses
    (the seed plans one community per 20 people: 50 in the quick company, 500 in the full)."""
    from django.db.models import Count

    from communities.models import Community, Membership

    busiest = list(
        Community.objects.annotate(n=Count("statuses"))
        .order_by("-n", "id")
        .values_list("id", flat=True)[:COMMUNITIES]
    )
    if len(busiest) < COMMUNITIES:
        raise BenchError(
            f"the bench company has {len(busiest)} communities; the 50-community viewer needs "
            f"{COMMUNITIES}: reseed with --reseed"
        )
    Membership.objects.filter(user_id=user_id).exclude(community_id__in=busiest).delete()
    Membership.objects.bulk_create(
        [
            Membership(community_id=c, user_id=user_id, role="member", state="active")
            for c in busiest
        ],  # fmt: skip
        ignore_conflicts=True,
    )
    Membership.objects.filter(user_id=user_id).update(role="member", state="active")
    for community in Community.objects.filter(pk__in=busiest):
        count = community.memberships.filter(state="active").count()
        Community.objects.filter(pk=community.pk).update(members_count=count)


def sessions(usernames: list[str]) -> dict[str, str]:
    """A fresh logged-in session key for each username (see common.session_key_for)."""
    from profiles.models import User

    from .common import session_key_for

    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    return {name: session_key_for(users[name]) for name in usernames}

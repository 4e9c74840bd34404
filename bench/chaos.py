"""Faults with nothing lost: Redis stops for 10 s, then PostgreSQL restarts, while writers post
at a steady rate through two real Daphne processes and followers hold sockets on both.

    make chaos        (PostgreSQL and Redis of this machine; restarts them: run it alone)

Uses its own database (enterprise_social_chaos) and Redis db (3). Prints the figures and exits
non-zero when a target is missed: an accepted post not stored, a failure outside the PostgreSQL
outage or other than a 503 with a JSON message, a follower missing a post 10 s after recovery,
a server process that died. Both services are started again whatever happens.
"""

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

DATABASE = "enterprise_social_chaos"
DATABASE_URL = os.environ.get(
    "CHAOS_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
)
REDIS_URL = os.environ.get("CHAOS_REDIS_URL", "redis://127.0.0.1:6379/3")
SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    # As tests/feeds/test_two_processes.py: production settings would need collectstatic.
    # The 503 path is the same either way (DatabaseUnavailableMiddleware answers first).
    "DJANGO_DEBUG": "1",
    "DJANGO_HTTPS": "0",
    "API_THROTTLE_RATE": "100000/min",
}
os.environ.update(SERVER_ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_social.settings")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
import websockets  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.servers import free_port, start_daphne, stop  # noqa: E402

PASSWORD = "chaos pass phrase 42"  # noqa: S105 - throwaway accounts in a throwaway database
# The product allows 10 statuses per person per minute (core/ratelimit.py):
# twelve writers at one post every 4 s each stay under it.
WRITERS = 12
FOLLOWERS = 6
RATE = 3.0  # posts per second, all writers together
REDIS_OUTAGE = 10.0
# `--no-faults`: the same run without stopping anything, to check the harness itself.
FAULTS = "--no-faults" not in sys.argv
DELIVERY_DEADLINE = 10.0
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
    "--save", "", "--appendonly", "no",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[1]


def sh(*args, check=False):
    return subprocess.run(args, capture_output=True, text=True, check=check)  # noqa: S603


def redis_up() -> bool:
    return sh("redis-cli", "-h", "127.0.0.1", "ping").stdout.strip() == "PONG"


def pg_up() -> bool:
    return sh("pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432").returncode == 0


def wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def pg_cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def restore_services() -> None:
    if not redis_up():
        sh(*REDIS_START)
        wait(redis_up, 15)
    if not pg_up():
        sh("pg_ctlcluster", "--skip-systemctl-redirect", pg_cluster(), "main", "start")
        wait(pg_up, 30)


def prepare_database():
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from profiles.models import Follow, User

    sh("createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE)
    # Rate-limit counters of an earlier run live in the cache: start from none.
    sh("redis-cli", "-h", "127.0.0.1", "-n", REDIS_URL.rsplit("/", 1)[-1], "flushdb")
    call_command("migrate", verbosity=0, interactive=False)
    password = make_password(PASSWORD)
    writers = []
    for n in range(WRITERS):
        user, _ = User.objects.update_or_create(
            username=f"chaos-writer-{n}",
            defaults={"email": f"chaos-writer-{n}@example.com", "password": password},
        )
        writers.append(user)
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    followers = []
    for n in range(FOLLOWERS):
        user, _ = User.objects.update_or_create(
            username=f"chaos-follower-{n}",
            defaults={"email": f"chaos-follower-{n}@example.com", "password": password},
        )
        followers.append(user)
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        for writer in writers:
            Follow.objects.get_or_create(follower=user, followee=writer)
    from feeds.models import Status

    last_id = Status.objects.order_by("-id").values_list("id", flat=True).first() or 0
    connection.close()
    return [w.username for w in writers], [f.username for f in followers], last_id


def session_for(username: str) -> str:
    """A logged-in session made directly: the login endpoints' per-address rate limits would
    refuse eighteen logins from one address in a few seconds. Used as the browser's `sessionid`
    and, for app clients, as `X-Session-Token` (allauth headless tokens are session keys)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from profiles.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


class Log:
    """What the writers saw, with times, shared by the writer threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.results: list[tuple[float, int, int | None, str]] = []  # (t, code, id, detail)

    def add(self, t, code, status_id, detail):
        with self.lock:
            self.results.append((t, code, status_id, detail))


def writer_thread(port, username, token, stop_event, log, interval, t0):
    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.headers["X-Session-Token"] = token
    n = 0
    next_at = time.monotonic()
    while not stop_event.is_set():
        n += 1
        sent = time.monotonic() - t0
        try:
            response = session.post(
                f"{base}/api/v1/statuses/",
                json={"body": f"chaos {username} #{n}"},
                timeout=15,
            )
            code = response.status_code
            try:
                payload = response.json()
            except ValueError:
                payload = {"raw": response.text[:200]}
            status_id = payload.get("id") if code == 201 else None
            detail = "" if code == 201 else json.dumps(payload)[:200]
        except requests.RequestException as error:
            code, status_id, detail = 0, None, type(error).__name__
        log.add(sent, code, status_id, detail)
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))


class Follower:
    """A socket like static/js/stream.js: reconnects with backoff and resumes after its last id."""

    def __init__(self, port, session_id, after):
        self.port, self.session_id = port, session_id
        self.last_id = after
        self.seen: dict[int, float] = {}
        self.reconnects = 0

    async def run(self, stop_event: asyncio.Event, t0: float):
        delay = 0.2
        while not stop_event.is_set():
            try:
                async with websockets.connect(
                    f"ws://127.0.0.1:{self.port}/ws/stream/",
                    additional_headers={
                        "Cookie": f"sessionid={self.session_id}",
                        "Origin": f"http://127.0.0.1:{self.port}",
                    },
                    open_timeout=5,
                ) as ws:
                    await ws.send(json.dumps({"type": "resume", "after": self.last_id}))
                    delay = 0.2
                    while not stop_event.is_set():
                        try:
                            raw = await asyncio.wait_for(ws.recv(), timeout=0.5)
                        except TimeoutError:
                            continue
                        event = json.loads(raw)
                        if event.get("type") in ("status.created", "status.updated"):
                            status_id = event["status"]["id"]
                            self.seen.setdefault(status_id, time.monotonic() - t0)
                            self.last_id = max(self.last_id, status_id)
            except (OSError, websockets.WebSocketException, TimeoutError):
                pass
            if stop_event.is_set():
                break
            self.reconnects += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


async def scenario(ports, writers, followers, after, sessions):
    t0 = time.monotonic()
    marks: dict[str, float] = {}
    log = Log()
    stop_writing = threading.Event()
    interval = WRITERS / RATE
    threads = [
        threading.Thread(
            target=writer_thread,
            args=(ports[i % 2], name, sessions[name], stop_writing, log, interval, t0),
            daemon=True,
        )
        for i, name in enumerate(writers)
    ]
    follower_sessions = [sessions[name] for name in followers]
    clients = [Follower(ports[(i + 1) % 2], sid, after) for i, sid in enumerate(follower_sessions)]
    stop_following = asyncio.Event()
    tasks = [asyncio.create_task(c.run(stop_following, t0)) for c in clients]
    for thread in threads:
        thread.start()
    try:
        await asyncio.sleep(3)
        marks["redis_down"] = time.monotonic() - t0
        if FAULTS:
            await asyncio.to_thread(sh, "redis-cli", "-h", "127.0.0.1", "shutdown", "nosave")
        await asyncio.sleep(REDIS_OUTAGE)
        if FAULTS:
            await asyncio.to_thread(sh, *REDIS_START)
            await asyncio.to_thread(wait, redis_up, 15)
        marks["redis_up"] = time.monotonic() - t0
        await asyncio.sleep(4)
        marks["pg_down"] = time.monotonic() - t0
        if FAULTS:
            await asyncio.to_thread(
                sh, "pg_ctlcluster", "--skip-systemctl-redirect", pg_cluster(), "main", "restart"
            )
            await asyncio.to_thread(wait, pg_up, 30)
        marks["pg_up"] = time.monotonic() - t0
        await asyncio.sleep(5)
    finally:
        stop_writing.set()
        for thread in threads:
            await asyncio.to_thread(thread.join, 20)
    marks["writing_stopped"] = time.monotonic() - t0
    accepted = {r[2] for r in log.results if r[1] == 201}
    deadline = time.monotonic() + DELIVERY_DEADLINE
    while time.monotonic() < deadline and not all(accepted <= set(c.seen) for c in clients):
        await asyncio.sleep(0.2)
    stop_following.set()
    await asyncio.gather(*tasks)
    return log, clients, marks


def main() -> int:
    started = time.monotonic()
    failures: list[str] = []
    processes = []
    try:
        restore_services()
        writers, followers, after = prepare_database()
        sessions = {name: session_for(name) for name in writers + followers}
        connection.close()
        ports = [free_port(), free_port()]
        verbose = "--verbose" in sys.argv
        processes = [start_daphne(port, SERVER_ENV, quiet=not verbose) for port in ports]
        log, clients, marks = asyncio.run(scenario(ports, writers, followers, after, sessions))
        restore_services()

        from feeds.models import Status

        # This process's own pooled connections died with the restart; start a fresh pool.
        with contextlib.suppress(Exception):
            connection.close()
        connection.close_pool()

        accepted = [r for r in log.results if r[1] == 201]
        failed = [r for r in log.results if r[1] != 201]
        accepted_ids = {r[2] for r in accepted}
        stored = set(Status.objects.filter(id__in=accepted_ids).values_list("id", flat=True))
        # A request sent before PostgreSQL stopped may wait out the restart; allow the pool's
        # 10 s connection timeout on top of the outage.
        outage = (marks["pg_down"] - 1.0, marks["pg_up"] + 10.0)
        outside = [r for r in failed if not (outage[0] <= r[0] <= outage[1])]
        not_503 = [r for r in failed if r[1] != 503 or "detail" not in r[3]]
        delivered = [len(accepted_ids & set(c.seen)) for c in clients]
        late = [max((c.seen[i] for i in accepted_ids if i in c.seen), default=0.0) for c in clients]
        alive = [p.poll() is None for p in processes]
        healthy = []
        for port in ports:
            try:
                healthy.append(
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code
                )
            except requests.RequestException:
                healthy.append(0)

        print("chaos: timeline (s):", {k: round(v, 1) for k, v in marks.items()})
        print(f"chaos: posts attempted     {len(log.results)}")
        print(f"chaos: posts accepted      {len(accepted)} (201)")
        codes = sorted({r[1] for r in failed})
        print(f"chaos: posts failed        {len(failed)} (status codes {codes})")
        if failed:
            print(f"chaos:   e.g. {failed[0][1]} {failed[0][3]}")
        print(f"chaos: posts stored        {len(stored)} of {len(accepted_ids)} accepted")
        print(f"chaos: posts lost          {len(accepted_ids - stored)}")
        print(
            f"chaos: delivered           {min(delivered, default=0)}..{max(delivered, default=0)}"
            f" of {len(accepted_ids)} to each of {len(clients)} followers"
            f" (reconnects {sum(c.reconnects for c in clients)})"
        )
        last_seen = max(late, default=0.0)
        print(
            f"chaos: last post delivered at {last_seen:.1f} s: "
            f"{last_seen - marks['pg_up']:.1f} s after PostgreSQL was back, "
            f"{last_seen - marks['writing_stopped']:.1f} s after the last post was sent"
        )
        print(f"chaos: servers alive       {alive}, /healthz {healthy}")

        if accepted_ids - stored:
            failures.append(f"{len(accepted_ids - stored)} accepted posts lost")
        if outside:
            failures.append(f"{len(outside)} posts failed outside the PostgreSQL outage")
        if not_503:
            failures.append(f"{len(not_503)} failures were not a 503 with a JSON message")
        sent_at = {r[2]: r[0] for r in accepted}
        missing = sorted(accepted_ids - set.intersection(*(set(c.seen) for c in clients)))
        if missing:
            print(
                "chaos: missing (id@sent s): "
                + ", ".join(f"{i}@{sent_at[i]:.1f}" for i in missing[:20])
            )
        if any(n < len(accepted_ids) for n in delivered):
            failures.append("a follower is missing posts 10 s after recovery")
        if not all(alive) or healthy != [200, 200]:
            failures.append("a server process died or is unhealthy")
        if not accepted:
            failures.append("nothing was accepted")
    finally:
        stop(processes)
        restore_services()
        connection.close()
    print(
        f"chaos: {'FAIL: ' + '; '.join(failures) if failures else 'ok'}"
        f" in {time.monotonic() - started:.0f} s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

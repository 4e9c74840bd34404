"""Commit-to-arrival latency of the live stream, on PostgreSQL and Redis with real Daphne.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/es_bench REDIS_URL=redis://127.0.0.1:6379/2 \
        .venv/bin/python -m bench.stream_latency --posts 200

Starts two Daphne processes with production settings (DEBUG off), a writer posting through the
API of process A and a follower whose socket is held by process B, so every event crosses Redis.
For each post it records: the status's `created_at` (set in the transaction, just before the
commit) to the event's arrival at the follower, and the writer's request start to arrival (an
upper bound that includes the request itself). Prints median, p95 and worst.
"""

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime

import websockets

from bench.servers import ROOT, browser_session_id, free_port, start_daphne, stop, token_session

PASSWORD = "bench-password-1"  # noqa: S105


def fail(message: str) -> None:
    sys.exit(f"bench: {message}")


def prepare() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_social.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from allauth.account.models import EmailAddress

    from profiles.models import Follow, User

    for name in ("bench-writer", "bench-reader"):
        email = f"{name}@bench.example.com"
        user, _ = User.objects.get_or_create(username=name, defaults={"email": email})
        user.set_password(PASSWORD)
        user.is_active = True
        user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    writer = User.objects.get(username="bench-writer")
    reader = User.objects.get(username="bench-reader")
    Follow.objects.get_or_create(follower=reader, followee=writer)


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_HTTPS": "0",
    "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "API_THROTTLE_RATE": "100000/min",
    "LOG_LEVEL": "WARNING",
}


def collectstatic() -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION},
        check=True,
    )


async def measure(port_a: int, port_b: int, posts: int) -> tuple[list[float], list[float]]:
    writer = token_session(port_a, "bench-writer", PASSWORD)
    cookie = browser_session_id(port_b, "bench-reader", PASSWORD)
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port_b}/ws/stream/",
        additional_headers={"Cookie": f"sessionid={cookie}", "Origin": "http://127.0.0.1"},
    )
    loop = asyncio.get_running_loop()
    arrivals: dict[int, tuple[float, float]] = {}
    arrived = asyncio.Event()

    async def receive() -> None:
        # Timestamps each event the moment it is read, independently of the writer's request.
        async for raw in ws:
            now = time.time()
            event = json.loads(raw)
            if event["type"] == "status.created":
                created = datetime.fromisoformat(event["status"]["created_at"]).timestamp()
                arrivals[event["status"]["id"]] = (now, created)
                arrived.set()

    receiver = asyncio.create_task(receive())
    from_commit, from_request = [], []
    for i in range(posts):
        started = time.time()
        response = await loop.run_in_executor(
            None,
            lambda i=i: writer.post(
                f"http://127.0.0.1:{port_a}/api/v1/statuses/",
                json={"body": f"latency probe {i}"},
                timeout=10,
            ),
        )
        if response.status_code != 201:
            fail(f"post answered {response.status_code}")
        status_id = response.json()["id"]
        deadline = time.monotonic() + 10
        while status_id not in arrivals:
            arrived.clear()
            if time.monotonic() > deadline:
                fail(f"status {status_id} never arrived")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), timeout=1)
        at, created = arrivals[status_id]
        from_commit.append((at - created) * 1000)
        from_request.append((at - started) * 1000)
    receiver.cancel()
    await ws.close()
    return from_commit, from_request


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return (
        f"{name:<34} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms"
        f"   worst {ordered[-1]:7.1f} ms   (n={len(ordered)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=200)
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        fail("set DATABASE_URL and REDIS_URL: this measures PostgreSQL and Redis, never SQLite")
    prepare()
    collectstatic()
    ports = [free_port(), free_port()]
    processes = [start_daphne(port, PRODUCTION) for port in ports]
    try:
        from_commit, from_request = asyncio.run(measure(*ports, args.posts))
    finally:
        stop(processes)
    print(summary("created_at (commit) -> follower", from_commit))
    print(summary("request start -> follower", from_request))


if __name__ == "__main__":
    main()

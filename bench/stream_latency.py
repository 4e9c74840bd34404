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
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import requests
import websockets

ROOT = Path(__file__).resolve().parents[1]
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


def start(port: int) -> subprocess.Popen:
    env = {**os.environ, **PRODUCTION}
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "enterprise_social.asgi:application",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    fail(f"daphne on port {port} did not start")
    raise AssertionError


def token_for(port: int, username: str) -> requests.Session:
    session = requests.Session()
    answer = session.post(
        f"http://127.0.0.1:{port}/_allauth/app/v1/auth/login",
        json={"username": username, "password": PASSWORD},
        timeout=10,
    ).json()
    session.headers["X-Session-Token"] = answer["meta"]["session_token"]
    return session


def browser_cookie(port: int, username: str) -> str:
    base = f"http://127.0.0.1:{port}"
    browser = requests.Session()
    browser.get(f"{base}/accounts/login/", timeout=10)
    browser.post(
        f"{base}/accounts/login/",
        data={
            "login": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies.get("csrftoken"),
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    return browser.cookies["sessionid"]


async def measure(port_a: int, port_b: int, posts: int) -> tuple[list[float], list[float]]:
    writer = token_for(port_a, "bench-writer")
    cookie = browser_cookie(port_b, "bench-reader")
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port_b}/ws/stream/",
        additional_headers={"Cookie": f"sessionid={cookie}", "Origin": "http://127.0.0.1"},
    )
    loop = asyncio.get_running_loop()
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
        while True:
            event = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            if event["type"] == "status.created" and event["status"]["id"] == status_id:
                arrived = time.time()
                created = datetime.fromisoformat(event["status"]["created_at"]).timestamp()
                from_commit.append((arrived - created) * 1000)
                from_request.append((arrived - started) * 1000)
                break
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
    a, b = start(8101), start(8102)
    try:
        from_commit, from_request = asyncio.run(measure(8101, 8102, args.posts))
    finally:
        for process in (a, b):
            process.terminate()
            process.wait(timeout=10)
    print(summary("created_at (commit) -> follower", from_commit))
    print(summary("request start -> follower", from_request))


if __name__ == "__main__":
    main()

"""Two real servers sharing PostgreSQL and Redis, a Daphne and the deployed Uvicorn with two
workers: a post accepted by one reaches a socket held by the other, and a Redis outage loses
nothing once clients resume.

Runs in the PostgreSQL + Redis pass of .ci/run (it needs REDIS_URL and DATABASE_URL).
"""

import asyncio
import contextlib
import json
import os
import subprocess
import time

import pytest
import websockets
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from bench.servers import (
    browser_session_id,
    free_port,
    start_daphne,
    start_uvicorn,
    stop,
    token_session,
)
from profiles.models import User
from profiles.services import follow_create
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL")),
        reason="needs the real PostgreSQL and Redis (second pass of .ci/run)",
    ),
]
PASSWORD = "correct horse battery"


def redis_command(port: int) -> list[str]:
    return [
        "redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
        "--appendonly", "no",
    ]  # fmt: skip


@pytest.fixture
def private_redis():
    """A Redis of this test's own: the outage test stops it, and the shared one serves the other
    test workers meanwhile."""
    port = free_port()
    process = subprocess.Popen(redis_command(port), stdout=subprocess.DEVNULL)  # noqa: S603
    redis = {"port": port, "process": process}
    wait_for_redis(port)
    yield redis
    with contextlib.suppress(Exception):
        subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False)  # noqa: S603, S607
    redis["process"].wait(timeout=10)


def wait_for_redis(port: int) -> None:
    for _ in range(100):
        if redis_up(port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server on {port} did not start")


@pytest.fixture
def servers(private_redis):
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": f"redis://127.0.0.1:{private_redis['port']}/0",
        "DJANGO_DEBUG": "1",
    }
    ports = [free_port(), free_port()]
    # Posts go to the first, sockets to the second (whose two workers share them out).
    processes = [start_daphne(ports[0], env), start_uvicorn(ports[1], env, workers=2)]
    yield ports
    stop(processes)


class Writer:
    """Posts through the API of one process with an app token."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.session = token_session(port, "writer", PASSWORD)

    def post(self, path: str, json: dict):
        return self.session.post(f"{self.base}{path}", json=json, timeout=10)


async def open_stream(port: int, session_id: str):
    return await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/stream/",
        additional_headers={
            "Cookie": f"sessionid={session_id}",
            "Origin": f"http://127.0.0.1:{port}",
        },
        open_timeout=10,
    )


async def statuses_from(ws, *, until_ids: set[int], timeout: float = 10.0) -> list[int]:
    received: list[int] = []
    deadline = time.monotonic() + timeout
    while not until_ids.issubset(received) and time.monotonic() < deadline:
        try:
            raw = await asyncio.wait_for(ws.recv(), timeout=max(deadline - time.monotonic(), 0.1))
        except (TimeoutError, websockets.ConnectionClosed):
            break
        event = json.loads(raw)
        if event["type"] == "status.created":
            received.append(event["status"]["id"])
    return received


def redis_up(port: int) -> bool:
    result = subprocess.run(  # noqa: S603
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), "ping"],  # noqa: S607
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() == "PONG"


@pytest.fixture
def company(db):
    author = UserFactory(username="writer")
    reader = UserFactory(username="reader")
    follow_create(follower=reader, followee=author)
    # The servers run with production hashers, not the suite's fast one.
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    User.objects.filter(pk__in=[author.pk, reader.pk]).update(password=hashed)
    connection.close()  # the servers must see committed rows, and our pool must not hog them
    return author, reader


def test_post_through_one_process_reaches_a_socket_on_the_other(servers, company):
    port_a, port_b = servers
    session_id = browser_session_id(port_b, "reader", PASSWORD)
    writer = Writer(port_a)

    async def scenario():
        ws = await open_stream(port_b, session_id)
        response = writer.post("/api/v1/statuses/", json={"body": "Across processes"})
        assert response.status_code == 201
        got = await statuses_from(ws, until_ids={response.json()["id"]})
        await ws.close()
        return got, response.json()["id"]

    got, status_id = asyncio.run(scenario())
    assert got == [status_id]


def test_redis_outage_loses_no_status_once_the_client_resumes(servers, company, private_redis):
    port_a, port_b = servers
    session_id = browser_session_id(port_b, "reader", PASSWORD)
    writer = Writer(port_a)

    async def scenario():
        ws = await open_stream(port_b, session_id)
        before = writer.post("/api/v1/statuses/", json={"body": "before the outage"}).json()
        got = await statuses_from(ws, until_ids={before["id"]})
        redis_port = private_redis["port"]
        subprocess.run(["redis-cli", "-p", str(redis_port), "shutdown", "nosave"], check=False)  # noqa: S603, S607
        private_redis["process"].wait(timeout=10)
        try:
            during = [
                writer.post("/api/v1/statuses/", json={"body": f"during {i}"}) for i in range(3)
            ]
            assert [r.status_code for r in during] == [201, 201, 201]
        finally:
            private_redis["process"] = subprocess.Popen(  # noqa: S603
                redis_command(redis_port), stdout=subprocess.DEVNULL
            )
            wait_for_redis(redis_port)
        during_ids = [r.json()["id"] for r in during]
        # The server closed our socket when its subscription broke; reconnect and resume.
        await asyncio.sleep(0.5)
        with_retry = None
        for _ in range(30):
            try:
                with_retry = await open_stream(port_b, session_id)
                break
            except (OSError, websockets.InvalidStatus, websockets.InvalidHandshake):
                await asyncio.sleep(0.3)
        assert with_retry is not None
        await with_retry.send(json.dumps({"type": "resume", "after": got[-1]}))
        after = writer.post("/api/v1/statuses/", json={"body": "after the outage"}).json()
        got += await statuses_from(with_retry, until_ids={*during_ids, after["id"]})
        await with_retry.close()
        with contextlib.suppress(Exception):
            await ws.close()
        return got, [before["id"], *during_ids, after["id"]]

    got, expected = asyncio.run(scenario())
    assert got == expected  # every status exactly once, in order

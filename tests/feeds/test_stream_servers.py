"""Close codes as a real client sees them, through a real Daphne and the deployed Uvicorn.

`WebsocketCommunicator` hands back whatever code the consumer asked for. Daphne (autobahn) only
sends 1000 and 3000-4999 and keeps the socket open for any other code, so a consumer closing with
1008 or 1009 passed tests/feeds/test_stream.py while browsers never heard of it. Here one Daphne
runs on a throwaway SQLite database (the embedded defaults: no Redis, one process), then one
Uvicorn as docs/deployment.md runs it.
"""

import asyncio
import os
import shutil
import subprocess
import sys

import pytest
import websockets

from bench.servers import ROOT, free_port, start_daphne, start_uvicorn, stop

MIGRATE = """
from django.core.management import call_command

call_command("migrate", interactive=False, verbosity=0)
"""
SETUP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from tests.factories import UserFactory

user = UserFactory(username="alice")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
print(session.session_key)
"""


UNSET = ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "DJANGO_HTTPS")


def server_env(folder) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(
        SQLITE_PATH=str(folder / "db.sqlite3"),
        MEDIA_ROOT=str(folder / "media"),
        DJANGO_SETTINGS_MODULE="enterprise_social.settings",
        LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A migrated SQLite database with alice signed in, made once for both servers (one
    interpreter migrates and makes the session); each server gets its own copy of it."""
    folder = tmp_path_factory.mktemp("database")
    script = MIGRATE + SETUP
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", script],
        cwd=ROOT,
        env=server_env(folder),
        check=True,
        capture_output=True,
        text=True,
    )
    yield folder / "db.sqlite3", result.stdout.split()[-1]
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module", params=[start_daphne, start_uvicorn], ids=["daphne", "uvicorn"])
def server(request, database, tmp_path_factory):
    template, session_id = database
    folder = tmp_path_factory.mktemp("server")
    shutil.copyfile(template, folder / "db.sqlite3")
    port = free_port()
    process = request.param(port, server_env(folder), unset=UNSET)
    try:
        yield port, session_id
    finally:
        stop([process])
        shutil.rmtree(folder, ignore_errors=True)


async def close_code_after(
    port: int, session_id: str, frames: list[str], *, wait: float = 5.0
) -> int | None:
    """Open the stream, send `frames`, and return the close code the server sent (None if the
    socket was still open `wait` seconds later)."""
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/stream/",
        additional_headers={
            "Cookie": f"sessionid={session_id}",
            "Origin": f"http://127.0.0.1:{port}",
        },
        open_timeout=10,
        max_size=None,
    ) as ws:
        try:
            for frame in frames:
                await ws.send(frame)
            async with asyncio.timeout(wait):
                async for _ in ws:
                    pass
        except TimeoutError:
            return None
        except websockets.ConnectionClosed:
            pass
        return ws.close_code


def test_an_oversized_message_closes_the_socket_with_4009(server):
    port, session_id = server
    code = asyncio.run(close_code_after(port, session_id, ["x" * 10_000]))
    assert code == 4009


def test_a_flood_of_messages_closes_the_socket_with_4008(server):
    port, session_id = server
    code = asyncio.run(close_code_after(port, session_id, ['{"type": "ping"}'] * 25))
    assert code == 4008


def test_well_behaved_clients_are_not_closed(server):
    port, session_id = server
    frames = ['{"type": "ping"}', '{"type": "resume", "after": 0}']
    assert asyncio.run(close_code_after(port, session_id, frames, wait=2)) is None

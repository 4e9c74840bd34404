"""Real Daphne processes on loopback, and logged-in clients for them.

Shared by the benchmarks and the multi-process tests, which both need servers that share
PostgreSQL and Redis with the process that starts them.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(env: dict | None = None, unset: tuple[str, ...] = ()) -> dict:
    """This process's environment with `env` on top and the `unset` names removed (a test on
    the embedded default must not hand its server the DATABASE_URL of the CI pass it runs in)."""
    merged = {**os.environ, **(env or {})}
    for name in unset:
        merged.pop(name, None)
    return merged


def start_daphne(
    port: int, env: dict | None = None, *, quiet: bool = True, unset: tuple[str, ...] = ()
) -> subprocess.Popen:
    """Start `daphne` on 127.0.0.1:`port` and wait until /healthz answers 200."""
    argv = ["daphne", "-b", "127.0.0.1", "-p", str(port)]
    return _start(argv, port, "daphne", env=env, quiet=quiet, unset=unset)


# The deployed server (docs/deployment.md): Uvicorn on uvloop and httptools, sockets on the
# websockets sans-I/O implementation without per-message deflate (Daphne refuses it too; it
# costs CPU per frame and memory per socket), a protocol ping every 30 s (inside the 60 s idle
# timeout of common proxies and load balancers; the default 20 s was a third of an idle
# process's CPU at 5,000 sockets), no access log (the proxy keeps one).
UVICORN_ARGS = [
    "--loop", "uvloop",
    "--http", "httptools",
    "--ws", "websockets-sansio",
    "--ws-per-message-deflate", "False",
    "--ws-ping-interval", "30",
    "--no-access-log",
    "--lifespan", "off",
]  # fmt: skip


def start_uvicorn(
    port: int,
    env: dict | None = None,
    *,
    workers: int = 1,
    quiet: bool = True,
    unset: tuple[str, ...] = (),
) -> subprocess.Popen:
    """Start Uvicorn as it is deployed, with `workers` processes on 127.0.0.1:`port`, and wait
    until /healthz answers 200."""
    argv = [
        "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        *UVICORN_ARGS,
    ]  # fmt: skip
    name = f"uvicorn --workers {workers}"
    return _start(argv, port, name, env=env, quiet=quiet, unset=unset)


def _start(
    argv: list[str], port: int, name: str, *, env: dict | None, quiet: bool, unset: tuple
) -> subprocess.Popen:
    """`python -m <argv> enterprise_social.asgi:application` from the project folder."""
    process = subprocess.Popen(  # noqa: S603 - our own module and fixed arguments
        [sys.executable, "-m", *argv, "enterprise_social.asgi:application"],
        cwd=ROOT,
        env=server_env(env, unset),
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None,
    )
    return _wait_healthy(process, port, name)


# Generous: the live group starts four servers at once, and on two shared cores with other work
# running a Uvicorn with two workers has taken more than 30 s to answer its first /healthz.
START_TIMEOUT_S = 120


def _wait_healthy(process: subprocess.Popen, port: int, name: str) -> subprocess.Popen:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} on port {port} exited with {process.returncode}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{name} on port {port} did not start")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=10)


def token_session(port: int, username: str, password: str) -> requests.Session:
    """An app client: logged in through allauth headless, sending `X-Session-Token`."""
    session = requests.Session()
    answer = session.post(
        f"http://127.0.0.1:{port}/_allauth/app/v1/auth/login",
        json={"username": username, "password": password},
        timeout=10,
    ).json()
    session.headers["X-Session-Token"] = answer["meta"]["session_token"]
    return session


def browser_session_id(port: int, username: str, password: str) -> str:
    """The `sessionid` cookie of a browser that logged in through the login form."""
    base = f"http://127.0.0.1:{port}"
    browser = requests.Session()
    browser.get(f"{base}/accounts/login/", timeout=10)
    browser.post(
        f"{base}/accounts/login/",
        data={
            "login": username,
            "password": password,
            "csrfmiddlewaretoken": browser.cookies.get("csrftoken"),
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    return browser.cookies["sessionid"]

"""A real Daphne on loopback, a throwaway SQLite company, Debian's Chromium driven by Playwright.

Every page a test opens is watched: a console error, an uncaught exception, a failed request, an
answer of 500 or more, or a request to anything but 127.0.0.1 fails the test at teardown.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from bench.servers import ROOT, free_port, start_daphne, stop

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "demo"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def _ensure_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    # Debian's package, never a browser build downloaded by Playwright.
    subprocess.run(["apt-get", "update"], check=True)  # noqa: S607
    subprocess.run(["apt-get", "install", "-y", "chromium"], check=True)  # noqa: S607


class Server:
    def __init__(self, base: str, db_path: Path, media: Path):
        self.base = base
        self.db_path = db_path
        self.media = media

    def url(self, path: str) -> str:
        return self.base + path

    def query(self, sql: str, *args):
        with sqlite3.connect(self.db_path) as db:
            return db.execute(sql, args).fetchall()

    def one(self, sql: str, *args):
        rows = self.query(sql, *args)
        assert rows, sql
        return rows[0][0]


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    _ensure_chromium()
    folder = tmp_path_factory.mktemp("e2e")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "DJANGO_HTTPS"}
    }
    env.update(
        SQLITE_PATH=str(folder / "db.sqlite3"),
        MEDIA_ROOT=str(folder / "media"),
        DJANGO_SETTINGS_MODULE="enterprise_social.settings",
        LOG_LEVEL="WARNING",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--noinput"],
        ["seed_demo", "--employees", "40", "--statuses", "120"],
    ):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    port = free_port()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        process = start_daphne(port)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        yield Server(f"http://127.0.0.1:{port}", folder / "db.sqlite3", folder / "media")
    finally:
        stop([process])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_sessions: dict[str, str] = {}


def session_cookie(server: Server, username: str) -> str:
    """Log in once per user through the real login form (with requests) and keep the cookie."""
    if username not in _sessions:
        client = requests.Session()
        client.get(server.url("/accounts/login/"), timeout=10)
        answer = client.post(
            server.url("/accounts/login/"),
            data={
                "login": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
            timeout=10,
            allow_redirects=False,
        )
        assert "sessionid" in client.cookies, f"login as {username} failed ({answer.status_code})"
        _sessions[username] = client.cookies["sessionid"]
    return _sessions[username]


class Watch:
    """Problems seen by the pages of one context."""

    def __init__(self):
        self.problems: list[str] = []
        self.allowed_statuses: set[int] = set()

    def attach(self, page) -> None:
        page.on("console", lambda message: self._console(message, page))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e} ({page.url})"))
        page.on(
            "requestfailed",
            lambda r: self._failed(r),
        )
        page.on("response", self._response)

    def _console(self, message, page) -> None:
        # "Failed to load resource" repeats an HTTP error that `_response` judges (a 403 may be
        # the point of a test).
        if message.type != "error" or message.text.startswith("Failed to load resource"):
            return
        # htmx logs every error answer; one a test asked for is not a problem.
        htmx = re.match(r"Response Status Error Code (\d+)", message.text)
        if htmx and int(htmx[1]) in self.allowed_statuses:
            return
        self.problems.append(f"console: {message.text} ({page.url})")

    def _failed(self, request) -> None:
        failure = request.failure or ""
        # A navigation away cancels pending requests (lazy images, htmx): not a failure.
        if "ERR_ABORTED" in failure:
            return
        self.problems.append(f"request failed: {request.method} {request.url} {failure}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.status not in self.allowed_statuses:
            self.problems.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )


@pytest.fixture
def open_page(server, chromium):
    """open_page(user=None, *, phone=False, dark=False) → a page in a fresh context."""
    contexts = []
    watch = Watch()

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if host != "127.0.0.1":
            watch.problems.append(f"left loopback: {route.request.url}")
            route.abort()
        else:
            route.continue_()

    def make(user: str | None = None, *, phone: bool = False, dark: bool = False):
        context = chromium.new_context(
            viewport=PHONE if phone else DESKTOP,
            color_scheme="dark" if dark else "light",
            # No transitions: a colour read mid-fade would fail axe's contrast check.
            reduced_motion="reduce",
            base_url=server.base,
            has_touch=phone,
            is_mobile=False,
        )
        context.set_default_timeout(10_000)
        if user:
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": session_cookie(server, user),
                        "url": server.base,
                    }
                ]
            )
        context.route("**/*", guard)
        contexts.append(context)
        page = context.new_page()
        watch.attach(page)
        return page

    make.watch = watch
    yield make
    for context in contexts:
        context.close()
    assert not watch.problems, "\n".join(watch.problems)

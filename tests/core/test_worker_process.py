"""A real `manage.py worker` against this test's database: a scheduled post is announced with
nobody reading, and a job whose worker is killed in the middle runs to completion once.

On the embedded default the test database lives in memory, so the worker gets a copy in a
SQLite file (sqlite3's backup), and the file is copied back before the assertions. On
PostgreSQL (the second pass of .ci/run) the worker opens the test database itself, and with
Redis the live event is heard on the Redis channel.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.models import OrmQ

from core import jobs, realtime
from core.models import OutboxEvent
from exec_blog import services
from exec_blog.models import BlogPost

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


class WorkerDatabase:
    """What a worker subprocess is told about the database, and how the test reads it back."""

    def __init__(self, folder: Path):
        self.sqlite = connection.vendor == "sqlite"
        self.file = folder / "worker.sqlite3"
        self.env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG"}}
        self.env.update(LOG_LEVEL="INFO", JOBS_TICK="0.5", JOBS_POLL="0.2")
        if self.sqlite:
            for name in ("DATABASE_URL", "REDIS_URL"):
                self.env.pop(name, None)
            self.env["SQLITE_PATH"] = str(self.file)
        else:
            db = settings.DATABASES["default"]
            self.env["DATABASE_URL"] = (
                f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
            )

    def hand_over(self) -> None:
        """Before the worker starts: everything committed so far, where it will look."""
        if self.sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)

    def take_back(self) -> None:
        """After the worker stopped: what it wrote, where the ORM looks."""
        if self.sqlite:
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def scalar(self, sql: str):
        if self.sqlite:
            with sqlite3.connect(self.file, timeout=20) as db:
                return db.execute(sql).fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]


class Worker:
    def __init__(self, database: WorkerDatabase, log: Path, **env):
        self.log = log.open("a")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), "worker"],
            cwd=ROOT,
            env={**database.env, **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kill reaches every process
        )

    def kill(self) -> None:
        """As if the machine died: every process of the cluster at once, no clean-up."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)
        time.sleep(0.3)  # the group's other processes go with it

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        finally:
            self.kill()
            self.log.close()


def wait_for(check, *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout} s; worker log:\n{log.read_text()[-4000:]}")


@pytest.fixture
def database(tmp_path):
    return WorkerDatabase(tmp_path)


@pytest.fixture
def redis_events():
    """With Redis: the live events published on this deployment's channel while the test runs."""
    if not settings.REDIS_URL:
        yield None
        return
    client = redis.Redis.from_url(settings.REDIS_URL)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(realtime.channel())
    yield pubsub
    pubsub.close()
    client.close()


def test_a_scheduled_post_is_announced_by_the_worker_with_nobody_reading(
    ceo, alice, bob, database, redis_events, tmp_path
):
    post = services.post_create(
        author=ceo,
        title="Announced by the job runner",
        body="Nobody opened a page.",
        status="published",
        publish_at=timezone.now() + timedelta(seconds=4),
    )
    assert post.announced_at is None
    database.hand_over()
    log = tmp_path / "worker.log"
    worker = Worker(database, log)
    try:
        table = BlogPost._meta.db_table
        wait_for(
            lambda: database.scalar(
                f"SELECT COUNT(*) FROM {table} WHERE announced_at IS NOT NULL"  # noqa: S608
            ),
            timeout=25,
            what="the post was not announced",
            log=log,
        )
    finally:
        worker.stop()
    database.take_back()
    post.refresh_from_db()
    assert post.announced_at >= post.publish_at
    notes = post.notifications.filter(kind="blog")
    assert sorted(n.recipient.username for n in notes) == ["alice", "bob"]
    if redis_events is None:
        # No Redis: the worker left the live event in the outbox the servers' hubs read.
        texts = [json.loads(text) for text in OutboxEvent.objects.values_list("text", flat=True)]
        events = [t["event"] for t in texts]
    else:
        events = []
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            # None also stands for the subscription's own confirmation: read on until the end.
            if message := redis_events.get_message(timeout=0.2):
                events.append(json.loads(message["data"])["event"])
    assert [e["post"]["slug"] for e in events if e["type"] == "blog.published"] == [post.slug]


def test_a_job_killed_with_its_worker_runs_to_completion_once(database, tmp_path):
    started, done = tmp_path / "started", tmp_path / "done"
    jobs.job_enqueue_on_commit("tests.core.slow_jobs.slow_append", str(started), str(done), 1.5)
    database.hand_over()
    log = tmp_path / "worker.log"
    # A job not acknowledged within JOBS_RETRY seconds is handed out again.
    short = {"JOBS_TIMEOUT": "2", "JOBS_RETRY": "3"}
    first = Worker(database, log, **short)
    try:
        wait_for(started.exists, timeout=20, what="the job did not start", log=log)
        first.kill()
    finally:
        first.kill()
    assert not done.exists()
    queue = OrmQ._meta.db_table
    assert database.scalar(f"SELECT COUNT(*) FROM {queue}") == 1  # noqa: S608 - still queued
    second = Worker(database, log, **short)
    try:
        wait_for(
            lambda: done.exists() and database.scalar(f"SELECT COUNT(*) FROM {queue}") == 0,  # noqa: S608
            timeout=25,
            what="the job did not run to completion",
            log=log,
        )
    finally:
        second.stop()
    assert done.read_text() == "done\n"  # completed once
    assert started.read_text() == "started\n" * 2  # the killed run, then the one that finished

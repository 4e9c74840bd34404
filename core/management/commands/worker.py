"""`manage.py worker`: the job runner, in the foreground until Ctrl-C or SIGTERM.

One django-q2 cluster (a guard process, `Q_CLUSTER["workers"]` job processes, a pusher that
takes jobs from the database queue and a monitor that records results). Start as many as you
like, on as many machines as share the database: they share the queue. This process also runs
the scheduler every `JOBS_TICK` seconds, turning due schedules into queued jobs; any number of
workers may do so at once (a row lock, or SQLite's write lock, lets one take each run).
"""

import logging
import os
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections
from django_q.brokers import get_broker
from django_q.cluster import Cluster
from django_q.scheduler import scheduler

from core import realtime
from core.jobs import periodic_jobs, schedules_sync

logger = logging.getLogger("core.jobs")


def _release_database_before_fork() -> None:
    # A forked process must not share its parent's sockets to the database, nor its
    # connection pool (whose threads do not survive a fork): each process opens its own.
    for conn in connections.all(initialized_only=True):
        conn.close()
        close_pool = getattr(conn, "close_pool", None)
        if close_pool is not None:
            close_pool()


class Command(BaseCommand):
    help = "Run the job runner (scheduled and deferred work) in the foreground."

    def handle(self, *args, **options) -> None:
        if not settings.REDIS_URL:
            # No Redis pub/sub: live events reach the servers through the database.
            realtime.publish_through_database()
        schedules_sync()
        for job in periodic_jobs():
            every = f"every {job.every_minutes} min" if job.every_minutes else f"at {job.daily_at}"
            logger.info("jobs: %s %s", job.func, every)
        _release_database_before_fork()
        os.register_at_fork(before=_release_database_before_fork)
        cluster = Cluster()
        # Stop from the loop below, never inside a signal handler: the handler could interrupt
        # the scheduler while it holds SQLite's write lock, which the cluster needs to stop.
        stopping = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopping.set())
        cluster.start()
        broker = get_broker()
        tick = settings.JOBS_TICK
        next_tick = time.monotonic()
        while not stopping.is_set() and cluster.sentinel.is_alive():
            if time.monotonic() >= next_tick:
                scheduler(broker=broker)
                next_tick = time.monotonic() + tick
            stopping.wait(0.2)
        if not stopping.is_set():
            code = cluster.sentinel.exitcode
            raise SystemExit(f"jobs: the cluster stopped unexpectedly (exit code {code})")
        # In a thread: if something killed the guard process while it waited (a SIGTERM sent to
        # the whole process group), django-q2's stop would wait for it forever.
        threading.Thread(target=cluster.stop, daemon=True).start()
        cluster.sentinel.join()

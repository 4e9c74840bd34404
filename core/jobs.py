"""The job runner's glue: deferred jobs, jobs at a given time, and periodic schedules.

Behind it is django-q2 with its ORM broker (the database is the queue; docs/architecture.md,
"Jobs"); apps never import django_q themselves. A job is a module-level function named by its
dotted path. It is idempotent (delivery is at least once: a job whose worker died runs again),
takes ids and plain values, never model instances, and re-reads and re-checks what it needs
when it runs. Nothing is queued before the transaction that asked for it commits.

Periodic jobs are declared where they live, with `@periodic(...)`; each app imports its
`jobs` module in `AppConfig.ready()`, and `manage.py worker` makes the schedules match the
registry when it starts (`schedules_sync`).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

PERIODIC_PREFIX = "periodic:"
AT_PREFIX = "at:"
PLAIN_TYPES = (int, float, str, bool, type(None))


@dataclass(frozen=True)
class Periodic:
    func: str
    every_minutes: int | None = None
    daily_at: time | None = None


_registry: dict[str, Periodic] = {}


def _check_plain(values) -> None:
    for value in values:
        if isinstance(value, list | tuple):
            _check_plain(value)
        elif not isinstance(value, PLAIN_TYPES):
            raise TypeError(
                f"A job takes ids and plain values, not {type(value).__name__}: it re-reads "
                "what it needs when it runs."
            )


def _dotted(func: str | Callable) -> str:
    return func if isinstance(func, str) else f"{func.__module__}.{func.__qualname__}"


def job_enqueue_on_commit(
    func: str | Callable, *args, job_timeout: int | None = None, **kwargs
) -> None:
    """Queue `func(*args, **kwargs)` once the current transaction commits (now if none); a
    rollback queues nothing. `job_timeout` (seconds) replaces JOBS_TIMEOUT for a job that may
    run long (an eDiscovery export); past JOBS_RETRY the queue hands it out again, so such a
    job must hold a lease of its own (ediscovery.services.export_build)."""
    _check_plain(args)
    _check_plain(kwargs.values())
    name = _dotted(func)
    options: dict = {"group": name}
    if job_timeout is not None:
        options["timeout"] = job_timeout

    def enqueue() -> None:
        async_task(name, *args, q_options=options, **kwargs)

    transaction.on_commit(enqueue)


def job_run_at(func: str | Callable, *, when: datetime, key: str) -> None:
    """Run `func()` (no arguments) once, at `when` or within the worker's tick after it, once
    the current transaction commits. A later call with the same `key` replaces the time."""
    name = _dotted(func)

    def schedule() -> None:
        with transaction.atomic():
            Schedule.objects.filter(name=AT_PREFIX + key).delete()
            Schedule.objects.create(
                name=AT_PREFIX + key,
                func=name,
                schedule_type=Schedule.ONCE,
                repeats=-1,
                next_run=when,
            )

    transaction.on_commit(schedule)


def periodic(*, every_minutes: int | None = None, daily_at: time | None = None):
    """Declare a module-level function a periodic job: every N minutes, or daily at a local
    time. It takes no arguments and must be idempotent."""
    if (every_minutes is None) == (daily_at is None):
        raise ValueError("Give every_minutes or daily_at.")

    def register(fn: Callable) -> Callable:
        name = _dotted(fn)
        _registry[name] = Periodic(func=name, every_minutes=every_minutes, daily_at=daily_at)
        return fn

    return register


def periodic_jobs() -> list[Periodic]:
    return sorted(_registry.values(), key=lambda p: p.func)


def _first_run(job: Periodic, now: datetime) -> datetime:
    if job.every_minutes is not None:
        # On the next whole minute: runs line up with the clock, whichever worker started.
        return now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    local = timezone.localtime(now)
    run = local.replace(hour=job.daily_at.hour, minute=job.daily_at.minute, second=0, microsecond=0)
    return run if run > local else run + timedelta(days=1)


def schedules_sync(*, now: datetime | None = None) -> None:
    """Make the periodic Schedule rows match the registry: one per job (duplicates left by two
    workers starting at once are removed), none for a job no longer declared. Idempotent; a
    row whose timing is unchanged keeps its next run."""
    now = now or timezone.now()
    with transaction.atomic():
        rows: dict[str, Schedule] = {}
        for row in Schedule.objects.filter(name__startswith=PERIODIC_PREFIX).order_by("pk"):
            if row.name in rows or row.name[len(PERIODIC_PREFIX) :] not in _registry:
                row.delete()
            else:
                rows[row.name] = row
        for job in periodic_jobs():
            wanted = {
                "func": job.func,
                "schedule_type": Schedule.MINUTES if job.every_minutes else Schedule.DAILY,
                "minutes": job.every_minutes,
                "repeats": -1,
            }
            row = rows.get(PERIODIC_PREFIX + job.func)
            if row is None:
                Schedule.objects.create(
                    name=PERIODIC_PREFIX + job.func, next_run=_first_run(job, now), **wanted
                )
                continue
            moved = job.daily_at is not None and (
                timezone.localtime(row.next_run).time().replace(second=0, microsecond=0)
                != job.daily_at
            )
            if moved or any(getattr(row, field) != value for field, value in wanted.items()):
                for field, value in wanted.items():
                    setattr(row, field, value)
                row.next_run = _first_run(job, now)
                row.save()

"""What every scenario of `make bench` shares: results, the table, the services check, the bench
company's accounts and sessions.

A scenario module exposes `run(ctx: Context) -> list[Result]`. The runner (`python -m bench`)
checks PostgreSQL and Redis, seeds or reuses the company, calls each scenario and prints one
table; `bench/results/latest.json` holds the same rows.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[1]
RESULTS = ROOT_DIR / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/enterprise_social_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/2"
PASSWORD = "bench-password-1"  # noqa: S105 - the bench company's accounts, never deployed
# The API throttle of every process of a run: the bench's servers and this process's in-process
# steps alike. One bench viewer makes hundreds of requests a second, which the per-person
# default (1,200 a minute) would refuse; the throttle still runs and still counts.
BENCH_THROTTLE_RATE = "100000000/min"


class BenchError(SystemExit):
    """Stops the run with a clear message (never a silent fallback)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"bench: {message}")


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank: a value that was actually measured."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Result:
    """One row of the table. Times in milliseconds unless `unit` says otherwise.

    `value` is what the target is judged on when it is not a latency (statuses/s, KiB, s...);
    `floor` is the baseline measured in the same run, `ratio` = measured / floor (for rates,
    floor / measured is not used: the ratio is always measured over floor as printed)."""

    scenario: str
    target: str
    passed: bool | None  # None: reported, no target
    unit: str = "ms"
    median: float | None = None
    p95: float | None = None
    p99: float | None = None
    value: float | None = None
    floor: float | None = None
    ratio: float | None = None
    samples: int = 0
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_samples(cls, scenario: str, samples: list[float], **kwargs) -> Result:
        return cls(
            scenario=scenario,
            median=statistics.median(samples) if samples else None,
            p95=percentile(samples, 95),
            p99=percentile(samples, 99),
            samples=len(samples),
            **kwargs,
        )


@dataclass
class Context:
    """What the runner hands every scenario."""

    quick: bool
    database_url: str
    redis_url: str
    employees: int
    statuses: int
    followers: int  # connected followers in the fan-out scenarios (1,000; fewer when quick)
    idle_sockets: int  # 5,000; fewer when quick
    env: dict  # environment for server processes: production settings, the bench services
    viewers: dict = field(default_factory=dict)  # name -> username (see bench.company)
    shared: dict = field(default_factory=dict)  # anything a scenario leaves for a later one


def fmt(value: float | None, unit: str = "ms") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit == "ms":
        return f"{value:.1f}" if value < 100 else f"{value:.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def table(results: list[Result]) -> str:
    head = ("scenario", "unit", "median", "p95", "p99", "value", "floor", "ratio", "target", "pass")
    rows = [head]
    for r in results:
        rows.append(
            (
                r.scenario,
                r.unit,
                fmt(r.median, r.unit),
                fmt(r.p95, r.unit),
                fmt(r.p99, r.unit),
                fmt(r.value, r.unit),
                fmt(r.floor, r.unit),
                "" if r.ratio is None else f"{r.ratio:.2f}",
                r.target,
                {True: "pass", False: "FAIL", None: "-"}[r.passed],
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(
                str(cell).ljust(widths[i]) if i in (0, 1, 8) else str(cell).rjust(widths[i])
                for i, cell in enumerate(row)
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def as_json(results: list[Result]) -> list[dict]:
    return [asdict(r) for r in results]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def production_env(database_url: str, redis_url: str) -> dict:
    """Environment for the servers under test and for the bench process itself (the runner's
    `setup_django`): DEBUG off, the bench services, plain HTTP on loopback (the deployment
    terminates TLS at the proxy), the bench's throttle rate."""
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-" + "x" * 50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_HTTPS": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "API_THROTTLE_RATE": BENCH_THROTTLE_RATE,
        "PYTHONUNBUFFERED": "1",
    }


def throttle_reset(user_ids) -> None:
    """Forget the API throttle's history of `user_ids` in this process's cache: an in-process
    step must not inherit what the run's servers (or a run a minute before) recorded for the
    same viewer, whatever rate this process was set up with."""
    from django.core.cache import cache
    from rest_framework.settings import api_settings

    keys = []
    for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES:
        key_for = getattr(throttle_class, "cache_key_for_user", None)
        if key_for is not None:
            keys.extend(key_for(pk) for pk in user_ids)
        elif hasattr(throttle_class, "cache_format"):
            fields = {"scope": getattr(throttle_class, "scope", None)}
            keys.extend(throttle_class.cache_format % {**fields, "ident": pk} for pk in user_ids)
    if keys:
        cache.delete_many(keys)


def session_key_for(user) -> str:
    """A logged-in session for `user`, as the login view would leave it (the bench cannot log
    in 1,000 followers through a deliberately slow password hash in its time budget). The key
    works as the browser's `sessionid` cookie and as the app's `X-Session-Token`."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

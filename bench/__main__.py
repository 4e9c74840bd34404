"""`make bench`: the company-scale benchmarks of issue 7, one table, one JSON file.

    .venv/bin/python -m bench [--quick] [--reseed] [--only feed,live,...] [--skip engagement]

PostgreSQL and Redis only (`BENCH_DATABASE_URL`, `BENCH_REDIS_URL`; defaults: the local services,
database `enterprise_social_bench`, Redis db 2). Stops with a clear message when either cannot be
reached. Seeds a company of 10,000 people and 1,000,000 statuses into a fresh database when the
bench database does not hold one (or with `--reseed`, which also times the seed against its
target); `--quick` uses a company of 1,000 and 50,000 in its own database, fewer samples and
fewer sockets, and exits 0 whatever the timings (for CI). Prints the table and writes
`bench/results/latest.json` (`latest-quick.json` when quick).

Every figure sits beside its floor, measured in the same run: these machines are shared.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime

from .common import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    RESULTS,
    Context,
    Result,
    as_json,
    log,
    production_env,
    table,
)

# Scenario modules, in the order they run. Each exposes `run(ctx) -> list[Result]`.
SCENARIOS = ["text", "feed", "live", "watch", "writes", "engagement", "reach", "attachments"]
SEED_TARGET_S = 300


def build_context(args: argparse.Namespace) -> Context:
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    if args.quick:
        database_url = database_url.rstrip("/") + "_quick"
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    return Context(
        quick=args.quick,
        database_url=database_url,
        redis_url=redis_url,
        employees=1_000 if args.quick else 10_000,
        statuses=50_000 if args.quick else 1_000_000,
        followers=200 if args.quick else 1_000,
        idle_sockets=1_000 if args.quick else 5_000,
        env=production_env(database_url, redis_url),
    )


def setup_django(ctx: Context) -> None:
    """Production settings in this process too (the in-process scenarios and the setup)."""
    os.environ.update(ctx.env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_social.settings")
    import django

    django.setup()


def prepare(args: argparse.Namespace) -> tuple[Context, float | None]:
    """Check the services, seed or reuse the company, set Django up, add the bench accounts."""
    from . import company

    ctx = build_context(args)
    company.check_services(ctx.database_url, ctx.redis_url)
    seed_seconds = company.prepare_database(ctx, reseed=args.reseed)
    setup_django(ctx)
    company.ensure_accounts(ctx)
    return ctx, seed_seconds


def seed_result(ctx: Context, seconds: float | None) -> Result:
    scenario = f"seed_demo --employees {ctx.employees} --statuses {ctx.statuses}"
    if seconds is None:
        return Result(
            scenario=scenario,
            unit="s",
            target=f"<= {SEED_TARGET_S} s",
            passed=None,
            notes="company reused: run with --reseed to time the seed",
        )
    return Result(
        scenario=scenario,
        unit="s",
        value=seconds,
        target=f"<= {SEED_TARGET_S} s",
        passed=None if ctx.quick else seconds <= SEED_TARGET_S,
        samples=1,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small company, under 3 minutes")
    parser.add_argument("--reseed", action="store_true", help="seed a fresh company and time it")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {SCENARIOS}")
    parser.add_argument("--skip", default="", help="comma-separated scenarios to leave out")
    args = parser.parse_args(argv)
    only = [s for s in args.only.split(",") if s] or SCENARIOS
    skip = {s for s in args.skip.split(",") if s}
    unknown = (set(only) | skip) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    chosen = [s for s in only if s not in skip]

    started = time.perf_counter()
    ctx, seed_seconds = prepare(args)
    results = [seed_result(ctx, seed_seconds)]
    for name in chosen:
        log(f"scenario group {name!r}")
        module = importlib.import_module(f"bench.{name}")
        group_started = time.perf_counter()
        results.extend(module.run(ctx))
        log(f"{name}: {time.perf_counter() - group_started:.0f} s")

    print(table(results))
    failed = [r.scenario for r in results if r.passed is False]
    elapsed = time.perf_counter() - started
    print(
        f"\n{len(results)} rows, {len(failed)} failing target(s), {elapsed:.0f} s"
        + (" (quick: timings reported, not enforced)" if ctx.quick else "")
    )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / ("latest-quick.json" if ctx.quick else "latest.json")
    out.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "quick": ctx.quick,
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "company": {"employees": ctx.employees, "statuses": ctx.statuses},
                "seconds": round(elapsed, 1),
                "results": as_json(results),
            },
            indent=2,
        )
    )
    log(f"wrote {out}")
    return 0 if ctx.quick or not failed else 1


if __name__ == "__main__":
    sys.exit(main())

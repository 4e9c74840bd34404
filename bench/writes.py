"""The write path (issue 21, part 3): what one status costs, and how many two cores take.

    .venv/bin/python -m bench --only writes [--quick]

One Uvicorn with two workers (the deployed server) serves the API and the sockets. Rows:

- post -> 10 followers: a status posted through `POST /api/v1/statuses/` every 150 ms (rotating
  the bench writers: the product allows 10 statuses per person a minute), latest arrival at 10
  connected followers' sockets minus the start of the request (bench/live.py's harness);
  target p99 <= 20 ms;
- 16 writers: 16 threads posting as fast as the server answers, with the 10 followers
  connected; target >= 100 statuses/s and no errors;
- the profile of one POST, in this process (Django's test client, production settings): CPU
  of the request (thread time, the figure that does not move with the machine's load), SQL
  queries, and the Redis round trips of the throttle and rate limit and of the whole request.
  From it, the arithmetic: how many statuses a second two cores could take at that CPU cost,
  before PostgreSQL, the socket deliveries and the client share them.
"""

from __future__ import annotations

import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from .common import Context, Result, log, percentile

TARGET_P99_MS = 20.0
TARGET_RATE = 100.0
FOLLOWERS = 10


def _profile_one_post(ctx: Context, keys: list[str], n: int) -> dict:
    """CPU ms, queries and Redis round trips of `n` status POSTs through Django in-process."""
    import redis
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    calls: list[str] = []
    real_execute = redis.Redis.execute_command
    real_pipeline = redis.client.Pipeline.execute

    def counting(self, *args, **options):
        calls.append(str(args[0]))
        return real_execute(self, *args, **options)

    def counting_pipeline(self, *args, **options):
        calls.append("PIPELINE")
        return real_pipeline(self, *args, **options)

    # One client (each new one loads the middleware again: WhiteNoise scans the static files),
    # posting as a different writer each time.
    client = Client(HTTP_HOST="127.0.0.1")
    for key in keys[:3]:  # sessions cached, script loaded, imports done
        client.post(
            "/api/v1/statuses/",
            {"body": "warm-up"},
            content_type="application/json",
            HTTP_X_SESSION_TOKEN=key,
        )
    cpu, queries, trips, limits = [], [], [], []
    redis.Redis.execute_command = counting
    redis.client.Pipeline.execute = counting_pipeline
    try:
        for i in range(n):
            key = keys[(i + 3) % len(keys)]
            calls.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.thread_time()
                answer = client.post(
                    "/api/v1/statuses/",
                    {"body": f"profiled write {i} #bench"},
                    content_type="application/json",
                    HTTP_X_SESSION_TOKEN=key,
                )
                cpu.append((time.thread_time() - started) * 1000)
            if answer.status_code != 201:
                raise RuntimeError(f"in-process POST answered {answer.status_code}")
            queries.append(len(captured.captured_queries))
            trips.append(len(calls))
            limits.append(sum(1 for c in calls if c in ("EVALSHA", "EVAL", "PIPELINE")))
    finally:
        redis.Redis.execute_command = real_execute
        redis.client.Pipeline.execute = real_pipeline
    return {
        "cpu": cpu,
        "queries": statistics.median(queries),
        "round_trips": statistics.median(trips),
        "limit_round_trips": statistics.median(limits),
        "commands": sorted(set(calls)),
    }


def run(ctx: Context) -> list[Result]:
    from . import servers
    from .company import sessions
    from .live import Clients, Poster, paced_latencies

    env = {**ctx.env, "LOG_LEVEL": "WARNING"}
    writer_keys = list(sessions(ctx.shared["writers"]).values())
    follower_keys = list(sessions(ctx.shared["followers"][:FOLLOWERS]).values())
    posts = 60 if ctx.quick else 200
    total = 300 if ctx.quick else 800
    port = servers.free_port()
    process = servers.start_uvicorn(port, env, workers=2)
    rows: list[Result] = []
    try:
        poster = Poster(port, writer_keys)
        clients = Clients(f"ws://127.0.0.1:{port}/ws/stream/", follower_keys, 1)
        try:
            time.sleep(0.5)
            clients.report()
            latencies, errors, incomplete = paced_latencies(
                clients, poster.post, posts, poster.token
            )
            log(f"writes: post -> {clients.connected} followers, {len(latencies)} posts")
            done: list[float] = []
            failures = 0

            def one(token: str) -> None:
                nonlocal failures
                started = time.perf_counter()
                try:
                    code = poster.post(token)
                except Exception:
                    code = 0
                done.append((time.perf_counter() - started) * 1000)
                failures += code != 201

            tokens = [poster.token() for _ in range(total)]
            started = time.perf_counter()
            with ThreadPoolExecutor(16) as pool:
                list(pool.map(one, tokens))
            elapsed = time.perf_counter() - started
        finally:
            clients.close()
    finally:
        servers.stop([process])
    notes = []
    if errors:
        notes.append(f"{errors} errors")
    if incomplete:
        notes.append(f"{incomplete} posts missed a socket")
    p99 = percentile(latencies, 99)
    rows.append(
        Result.from_samples(
            f"writes: post -> {FOLLOWERS} followers (uvicorn --workers 2, API and sockets)",
            latencies,
            target=f"p99 <= {TARGET_P99_MS:.0f} ms",
            passed=None if ctx.quick else (p99 <= TARGET_P99_MS and not notes),
            notes="; ".join(notes),
        )
    )
    rate = total / elapsed
    row = Result.from_samples(
        f"writes: POST /api/v1/statuses/ x16 writers, {FOLLOWERS} followers connected",
        done,
        target=f">= {TARGET_RATE:.0f} statuses/s, no errors",
        passed=None if ctx.quick else (rate >= TARGET_RATE and failures == 0),
        notes=f"{failures} errors; value = statuses/s; latency columns: request ms",
    )
    row.value, row.unit = rate, "statuses/s, ms"
    rows.append(row)

    profile = _profile_one_post(ctx, writer_keys, 40 if ctx.quick else 100)
    cpu = profile["cpu"]
    cpu_median = statistics.median(cpu)
    rows.append(
        Result.from_samples(
            "writes: one POST in process, CPU (thread time)",
            cpu,
            target="reported",
            passed=None,
            notes=f"{profile['queries']:.0f} SQL queries; Redis round trips: "
            f"{profile['limit_round_trips']:.0f} for throttle + rate limit, "
            f"{profile['round_trips']:.0f} in all ({', '.join(profile['commands'])})",
            extra={k: v for k, v in profile.items() if k != "cpu"},
        )
    )
    rows.append(
        Result(
            scenario="writes: statuses/s two cores could take at that CPU alone",
            unit="statuses/s",
            value=2000 / cpu_median,
            target="arithmetic: 2 cores / CPU per POST",
            passed=None,
            notes="before PostgreSQL, socket delivery and the clients take their share",
        )
    )
    return rows


def main() -> int:
    from .__main__ import main as bench_main

    return bench_main(["--only", "writes", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())

"""Live counts only to those who look (issue 21, point 2): what one reaction costs a socket
process, with 1,000 and with 5,000 idle sockets in it.

    .venv/bin/python -m bench.watch [--rounds 7] [--events 2000]   (alone: no company needed)
    make bench BENCH_ARGS="--only watch"              (a row group of the table: both, below)
    .venv/bin/python -m bench.watch --real --database-url postgres://… --redis-url redis://…

In-process (the default and the `make bench` rows): the sockets are hub registrations, not real
WebSockets, and what a reaction costs beyond routing (reading one message from Redis, writing one
frame to each recipient) does not depend on the idle sockets. `--real` measures the same with
real sockets: one Uvicorn process as deployed, N real idle WebSockets held by client processes
(each watching 20 random statuses), and the author, thread and watchers of two statuses
(company-wide, a department's) connected too; reactions are published on Redis as `feeds.events`
publishes them, at a steady rate, and the cost is the server process's CPU (utime + stime) over
windows with reactions minus windows without (the session sweep every 3 s is in both).

In process, a hub (`core.streaming.Hub`, its background tasks left out) holds N registrations
shaped like a company's: 20 departments, 20 follows, 3 of 50 communities and 20 statuses on
screen each (watched ids drawn from 50,000 recent statuses). Each reaction is the message
`feeds.events` publishes (`counts_audience`: the author, a thread of three, the watchers, the
status's readers) for one of three statuses: company-wide, a department's, a private
community's; five sockets watch each. The hub decodes, routes and hands each recipient the
encoded text, as from Redis.

Figure: CPU time of the process (`time.process_time`) per reaction event, median of rounds that
alternate N = 1,000 and 5,000; target: 5,000 costs the same within noise (ratio <= 1.3). The same
events sent the way they were before (`everyone=True`) are printed for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from dataclasses import asdict

from .common import Context, Result, log

SIZES = (1_000, 5_000)
TARGET_RATIO = 1.3
DEPARTMENTS = 20
COMMUNITIES = 50
FOLLOWS = 20
MEMBERSHIPS = 3
ON_SCREEN = 20
RECENT_STATUSES = 50_000
WATCHERS = 5  # sockets watching the reacted status, the same at every N
THREAD = 3  # people mentioned in it, connected, the same at every N


class Receiver:
    """A registered socket: what the hub reads of a consumer, and a count of frames."""

    def __init__(self, user_id: int, rng: random.Random) -> None:
        self.user_id = user_id
        self.department_id = rng.randrange(DEPARTMENTS)
        self.followees = set(rng.sample(range(1, 10_001), FOLLOWS))
        self.communities = set(rng.sample(range(1, COMMUNITIES + 1), MEMBERSHIPS))
        self.session_key = None
        self.frames = 0

    async def deliver(self, event: dict, text: str) -> None:
        self.frames += 1

    async def close_stream(self, code: int) -> None:
        pass


def _quiet_hub():
    from core.streaming import Hub

    class QuietHub(Hub):
        """Routing only: no Redis listener, session sweep or outbox reader."""

        def _ensure_tasks(self) -> None:
            pass

    return QuietHub()


def _messages(recipients: dict) -> tuple[list[str], list[str]]:
    """Three reactions as `feeds.events` publishes them, and the same as before (to everyone).
    `recipients`: per status kind, the socket users and the ids the audience names."""
    from core.realtime import Audience, encode

    counts = {"like": 3, "celebrate": 1, "insightful": 0, "curious": 0}
    now, before = [], []
    for kind, (status_id, author, thread, readers) in recipients.items():
        event = {"type": "reaction.changed", "status_id": status_id, "reaction_counts": counts}
        audience = Audience(user_ids=(author, *thread), watchers_of=status_id, readers=readers)
        now.append(encode({"audience": asdict(audience), "event": event}))
        old = readers if kind != "company" else Audience(everyone=True)
        before.append(encode({"audience": asdict(old), "event": event}))
    return now, before


def build(n: int, seed: int = 21):
    """A hub with `n` idle sockets, plus the author, thread and watchers of three statuses
    (present at every n, so that every n delivers the same frames)."""
    from core.realtime import Audience

    rng = random.Random(seed)
    hub = _quiet_hub()
    idle = []
    for i in range(n):
        sub = Receiver(100_000 + i, rng)
        hub.add(sub)
        hub.watch(sub, rng.sample(range(1, RECENT_STATUSES + 1), ON_SCREEN))
        idle.append(sub)
    recipients = {}
    specials = []
    for kind, status_id, department, community in (
        ("company", RECENT_STATUSES + 1, None, None),
        ("department", RECENT_STATUSES + 2, 7, None),
        ("community", RECENT_STATUSES + 3, None, 9),
    ):
        people = [Receiver(200_000 + len(specials) + k, rng) for k in range(1 + THREAD + WATCHERS)]
        for sub in people:
            # Readers of the status (none of the idle sockets' state decides who gets it).
            if department is not None:
                sub.department_id = department
            if community is not None:
                sub.communities.add(community)
            hub.add(sub)
        for sub in people[1 + THREAD :]:
            hub.watch(sub, [status_id])
        specials += people
        author, thread = people[0].user_id, tuple(p.user_id for p in people[1 : 1 + THREAD])
        if kind == "company":
            readers = Audience(everyone=True)
        elif kind == "department":
            readers = Audience(user_ids=(author,), department_id=department)
        else:
            readers = Audience(community_id=community)
        recipients[kind] = (status_id, author, thread, readers)
    return hub, idle, specials, recipients


async def _cpu_per_event(hub, texts: list[str], events: int) -> float:
    """Process CPU seconds per dispatched event, `events` events round-robin over `texts`."""
    for text in texts:  # warm up
        await hub.dispatch(text)
    started = time.process_time()
    for i in range(events):
        await hub.dispatch(texts[i % len(texts)])
    return (time.process_time() - started) / events


def measure(rounds: int, events: int) -> dict:
    """{n: {"now": [µs per event...], "before": [...], "frames": frames per event}}."""
    built = {n: build(n) for n in SIZES}
    figures = {n: {"now": [], "before": [], "frames": 0} for n in SIZES}
    for _ in range(rounds):
        for n in SIZES:  # alternating, so that a busy moment of the machine hits both
            hub, idle, specials, recipients = built[n]
            now, before = _messages(recipients)
            for sub in idle + specials:
                sub.frames = 0
            figures[n]["now"].append(asyncio.run(_cpu_per_event(hub, now, events)) * 1e6)
            frames = sum(s.frames for s in idle + specials)
            idle_frames = sum(s.frames for s in idle)
            assert idle_frames == 0, "an idle socket received a count"
            figures[n]["frames"] = frames / (events + len(now))
            figures[n]["before"].append(
                asyncio.run(_cpu_per_event(hub, before, max(events // 10, 30))) * 1e6
            )
    return figures


def rows(figures: dict, *, judged: bool) -> list[Result]:
    small, large = SIZES
    out = []
    for n in SIZES:
        out.append(
            Result.from_samples(
                f"one reaction, {n:,} idle sockets in the process (hub CPU)",
                figures[n]["now"],
                unit="µs",
                target="(measured)",
                passed=None,
                notes=f"{figures[n]['frames']:.0f} frames per event (author, thread, watchers); "
                "in-process hub registrations, not real sockets",
            )
        )
    a, b = statistics.median(figures[small]["now"]), statistics.median(figures[large]["now"])
    ratio = b / a if a else float("nan")
    out.append(
        Result(
            scenario=f"  reaction cost {large:,} / {small:,} idle sockets",
            unit="x",
            value=ratio,
            target=f"same within noise (<= {TARGET_RATIO})",
            passed=(ratio <= TARGET_RATIO) if judged else None,
            samples=len(figures[large]["now"]),
            notes="medians of alternating rounds",
        )
    )
    for n in SIZES:
        out.append(
            Result.from_samples(
                f"  before issue 21: the same reactions to everyone, {n:,} sockets",
                figures[n]["before"],
                unit="µs",
                target="(comparison)",
                passed=None,
                notes="a company or open-community status's counts went to every socket",
            )
        )
    return out


# --- real sockets (--real) ---------------------------------------------------------------------

REAL_PREFIX = "esbenchwatch"  # its own pub/sub channel: channels ignore Redis's db number
REAL_WINDOW_S = 9.0  # three session sweeps
REAL_RATE = 200  # reactions a second in a window with reactions
CONNECT_CONCURRENCY = 64


async def _client(config: dict) -> None:
    """A client process: opens its sockets, each sends its watch, then counts frames per kind
    of socket ("idle", "special") until told to report or close."""
    import websockets

    frames = {"idle": 0, "special": 0}
    sockets = []
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def read(ws, kind: str) -> None:
        try:
            async for _ in ws:
                frames[kind] += 1
        except websockets.ConnectionClosed:
            pass

    async def open_one(cookie: str, ids: list[int], kind: str) -> None:
        async with gate:
            for _ in range(3):
                try:
                    ws = await websockets.connect(
                        config["url"],
                        additional_headers={"Cookie": f"sessionid={cookie}",
                                            "Origin": "http://127.0.0.1"},
                        open_timeout=60,
                        ping_interval=None,
                    )  # fmt: skip
                except (OSError, websockets.InvalidHandshake, TimeoutError):
                    await asyncio.sleep(0.2)
                    continue
                if ids:
                    await ws.send(json.dumps({"type": "watch", "status_ids": ids}))
                sockets.append(ws)
                asyncio.get_running_loop().create_task(read(ws, kind))
                return

    await asyncio.gather(*(open_one(*spec) for spec in config["sockets"]))
    _say({"ready": len(sockets), "failed": len(config["sockets"]) - len(sockets)})
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if line == "report":
            _say({**frames, "open": sum(1 for ws in sockets if ws.state.name == "OPEN")})
            frames = {"idle": 0, "special": 0}
        else:
            closing = [asyncio.ensure_future(ws.close()) for ws in sockets]
            if closing:
                await asyncio.wait(closing, timeout=5)
            _say({"closed": True})
            return


def _say(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class _Clients:
    def __init__(self, url: str, specs: list, processes: int) -> None:
        import subprocess

        from .common import ROOT_DIR

        self.processes = []
        for i in range(processes):
            process = subprocess.Popen(  # noqa: S603 - this module, fixed arguments
                [sys.executable, "-m", "bench.watch", "client"],
                cwd=ROOT_DIR,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            process.stdin.write(json.dumps({"url": url, "sockets": specs[i::processes]}) + "\n")
            process.stdin.flush()
            self.processes.append(process)
        answers = [self._ask(p, None) for p in self.processes]
        self.connected = sum(a["ready"] for a in answers)
        self.failed = sum(a["failed"] for a in answers)

    @staticmethod
    def _ask(process, line: str | None) -> dict:
        if line is not None:
            process.stdin.write(line + "\n")
            process.stdin.flush()
        answer = process.stdout.readline()
        if not answer:
            raise RuntimeError("a bench client process exited")
        return json.loads(answer)

    def report(self) -> dict:
        total = {"idle": 0, "special": 0, "open": 0}
        for process in self.processes:
            for key, value in self._ask(process, "report").items():
                total[key] += value
        return total

    def close(self) -> None:
        for process in self.processes:
            try:
                self._ask(process, "close")
                process.wait(timeout=20)
            except (OSError, RuntimeError, ValueError):
                process.kill()


def _real_people():
    """Bench accounts in the given database: 50 idle people, and per status an author, a thread
    of THREAD and WATCHERS watchers (the department status's in one department)."""
    from django.contrib.auth import get_user_model

    from profiles.models import Department, Profile

    from .common import session_key_for

    users = get_user_model()
    department, _ = Department.objects.get_or_create(
        slug="bench-watch", defaults={"name": "Bench watch"}
    )

    def person(name: str, *, in_department: bool = False):
        user, _ = users.objects.get_or_create(username=name)
        if in_department:
            Profile.objects.filter(user=user).update(department=department)
        return session_key_for(user), user.pk

    idle = [person(f"bwatch_idle_{i}") for i in range(50)]
    specials = {}
    for kind in ("company", "department"):
        specials[kind] = [
            person(f"bwatch_{kind}_{k}", in_department=kind == "department")
            for k in range(1 + THREAD + WATCHERS)
        ]
    return idle, specials, department.pk


def _real_messages(specials: dict, department_id: int) -> list[str]:
    from core.realtime import Audience, encode

    counts = {"like": 3, "celebrate": 1, "insightful": 0, "curious": 0}
    texts = []
    for kind, status_id in (("company", RECENT_STATUSES + 1), ("department", RECENT_STATUSES + 2)):
        ids = [pk for _, pk in specials[kind]]
        author, thread = ids[0], tuple(ids[1 : 1 + THREAD])
        readers = (
            Audience(everyone=True)
            if kind == "company"
            else Audience(user_ids=(author,), department_id=department_id)
        )
        audience = Audience(user_ids=(author, *thread), watchers_of=status_id, readers=readers)
        event = {"type": "reaction.changed", "status_id": status_id, "reaction_counts": counts}
        texts.append(encode({"audience": asdict(audience), "event": event}))
    return texts


def real(env: dict, redis_url: str, rounds: int) -> dict:
    """{n: {"now": [µs of server CPU per reaction, per round], "frames": …, "idle_frames": …}}
    Django set up on the database of `env` (the servers' environment)."""
    import redis

    from .live import cpu_seconds
    from .servers import free_port, start_uvicorn, stop

    env = {**env, "REDIS_PREFIX": REAL_PREFIX, "LOG_LEVEL": "WARNING"}
    idle, specials, department_id = _real_people()
    texts = _real_messages(specials, department_id)
    publisher = redis.Redis.from_url(redis_url)
    channel = f"{REAL_PREFIX}:events"
    rng = random.Random(21)
    figures = {}
    for n in SIZES:
        port = free_port()
        process = start_uvicorn(port, env)
        try:
            specs = [
                [idle[i % len(idle)][0], rng.sample(range(1, RECENT_STATUSES + 1), ON_SCREEN),
                 "idle"]
                for i in range(n)
            ]  # fmt: skip
            for kind, status_id in (("company", RECENT_STATUSES + 1),
                                    ("department", RECENT_STATUSES + 2)):  # fmt: skip
                people = specials[kind]
                specs += [[cookie, [], "special"] for cookie, _ in people[: 1 + THREAD]]
                specs += [[cookie, [status_id], "special"] for cookie, _ in people[1 + THREAD :]]
            clients = _Clients(f"ws://127.0.0.1:{port}/ws/stream/", specs, 4)
            try:
                log(f"watch --real: {clients.connected} sockets ({clients.failed} failed)")
                time.sleep(5.0)
                clients.report()
                per_event, sent = [], 0
                for _ in range(rounds):
                    c0 = cpu_seconds(process.pid)
                    time.sleep(REAL_WINDOW_S)
                    idle_cpu = cpu_seconds(process.pid) - c0
                    count = int(REAL_WINDOW_S * REAL_RATE)
                    c0, t0 = cpu_seconds(process.pid), time.monotonic()
                    for i in range(count):
                        publisher.publish(channel, texts[i % len(texts)])
                        time.sleep(max(0.0, t0 + (i + 1) / REAL_RATE - time.monotonic()))
                    time.sleep(max(0.0, t0 + REAL_WINDOW_S - time.monotonic()))
                    busy_cpu = cpu_seconds(process.pid) - c0
                    sent += count
                    per_event.append((busy_cpu - idle_cpu) / count * 1e6)
                time.sleep(1.0)
                got = clients.report()
            finally:
                clients.close()
        finally:
            stop([process])
        figures[n] = {
            "now": per_event,
            "frames": got["special"] / sent if sent else 0,
            "idle_frames": got["idle"],
            "connected": clients.connected,
            "open": got["open"],
        }
        log(f"watch --real: {n}: {figures[n]}")
    return figures


def real_rows(figures: dict, *, judged: bool) -> list[Result]:
    small, large = SIZES
    out = []
    for n in SIZES:
        f = figures[n]
        out.append(
            Result.from_samples(
                f"one reaction, {n:,} real idle sockets on Uvicorn (server CPU)",
                f["now"],
                unit="µs",
                target="(measured)",
                passed=None,
                notes=f"{f['connected']:,} connected, {f['open']:,} open at the end; "
                f"{f['frames']:.1f} frames per reaction to author/thread/watchers, "
                f"{f['idle_frames']} to idle sockets; busy minus idle windows",
            )
        )
    a = statistics.median(figures[small]["now"])
    b = statistics.median(figures[large]["now"])
    ratio = b / a if a else float("nan")
    clean = all(figures[n]["idle_frames"] == 0 for n in SIZES)
    out.append(
        Result(
            scenario=f"  reaction cost {large:,} / {small:,} real idle sockets",
            unit="x",
            value=ratio,
            target=f"same within noise (<= {TARGET_RATIO})",
            passed=(ratio <= TARGET_RATIO and clean) if judged else None,
            samples=len(figures[large]["now"]),
        )
    )
    return out


def run(ctx: Context) -> list[Result]:
    """In process, then (not in --quick: about 9 minutes on 2 cores) with real sockets."""
    rounds, events = (3, 500) if ctx.quick else (7, 2000)
    log(f"watch: {rounds} rounds of {events} reactions at {SIZES} idle sockets")
    out = rows(measure(rounds, events), judged=not ctx.quick)
    if not ctx.quick:
        out += real_rows(real(ctx.env, ctx.redis_url, 5), judged=True)
    return out


def main() -> None:
    from .common import table

    if sys.argv[1:2] == ["client"]:
        import uvloop

        uvloop.run(_client(json.loads(sys.stdin.readline())))
        return
    parser = argparse.ArgumentParser(prog="python -m bench.watch")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--real", action="store_true", help="real sockets on a Uvicorn process")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()
    if args.real:
        if not (args.database_url and args.redis_url):
            parser.error("--real needs --database-url (PostgreSQL, migrated) and --redis-url")
        from .common import production_env

        env = production_env(args.database_url, args.redis_url)
        os.environ.update({**env, "REDIS_PREFIX": REAL_PREFIX})
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_social.settings")
        import django

        django.setup()
        result = real_rows(real(env, args.redis_url, min(args.rounds, 5)), judged=True)
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_social.settings")
        import django

        django.setup()
        result = rows(measure(args.rounds, args.events), judged=True)
    print(table(result))
    sys.exit(0 if all(r.passed is not False for r in result) else 1)


if __name__ == "__main__":
    main()

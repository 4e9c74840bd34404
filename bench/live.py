"""Live delivery at company scale (issue 7): post to arrival, writes under load, idle sockets.

Called by `python -m bench` after the bench accounts exist (Django set up in-process with
production settings). Every server under test is a separate process started with `ctx.env`.

The client harness is the same for a scenario and its floor: separate client processes
(`python -m bench.live client`, asyncio + uvloop + `websockets`) hold the sockets and timestamp
each frame with `time.time()` the moment it is read; for every post they report how many sockets
received it and the latest arrival. A post's latency is that latest arrival minus the wall-clock
time the poster started the request (`time.time()` is one clock for every process on the host).

- floor: a bare `websockets` server (`python -m bench.live floor PORT`, no compression) that
  relays one message of the same shape and size to every connected client when asked by an HTTP
  request, triggered by the same poster as the product's `POST /api/v1/statuses/`;
- the product: followers' sockets on Uvicorn (the deployed server, one worker: "held by one
  server process") and, for comparison, on Daphne; statuses posted through the API of a separate
  Uvicorn with two workers, so every event crosses Redis as in a multi-process deployment.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from .common import ROOT_DIR, Context, Result, log, percentile

ORIGIN = "http://127.0.0.1"
PACE_S = 0.15  # one post every 150 ms in the latency scenarios
CONNECT_CONCURRENCY = 64  # per client process
FLOOR_PAD = 900  # bytes of padding in the floor's message: about the size of a status event


# --- client processes -----------------------------------------------------------------------


def _key_of(text: str) -> str | None:
    """The probe token of a frame (`zq<token>qz` in the status body), without parsing JSON: the
    harness must cost the same whatever server it measures."""
    i = text.find("zq")
    if i < 0:
        return None
    j = text.find("qz", i + 2)
    return text[i + 2 : j] if j > 0 else None


async def _client(config: dict) -> None:
    import websockets

    url, cookies = config["url"], config["cookies"]
    arrivals: dict[str, list] = {}
    sockets = []
    closed = 0
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def read(ws) -> None:
        nonlocal closed
        try:
            async for text in ws:
                now = time.time()
                key = _key_of(text)
                if key is None:
                    continue
                seen = arrivals.get(key)
                if seen is None:
                    arrivals[key] = [1, now]
                else:
                    seen[0] += 1
                    if now > seen[1]:
                        seen[1] = now
        except websockets.ConnectionClosed:
            pass
        closed += 1

    async def connect(cookie: str) -> None:
        async with gate:
            for _ in range(3):
                try:
                    ws = await websockets.connect(
                        url,
                        additional_headers={"Cookie": f"sessionid={cookie}", "Origin": ORIGIN},
                        open_timeout=60,
                        max_size=2**20,
                        ping_interval=None,  # as browsers: the server pings, the page does not
                    )
                except (OSError, websockets.InvalidHandshake, TimeoutError):
                    await asyncio.sleep(0.2)
                    continue
                sockets.append(ws)
                asyncio.get_running_loop().create_task(read(ws))
                return

    started = time.monotonic()
    await asyncio.gather(*(connect(c) for c in cookies))
    _say({"ready": len(sockets), "failed": len(cookies) - len(sockets),
          "seconds": time.monotonic() - started})  # fmt: skip
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if line == "report":
            _say({"arrivals": arrivals, "open": len(sockets) - closed})
            arrivals = {}
        elif line in ("close", ""):
            closing = [asyncio.ensure_future(ws.close()) for ws in sockets]
            if closing:
                await asyncio.wait(closing, timeout=3)
            _say({"closed": True})
            return


def _say(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class Clients:
    """Client processes holding `cookies`' sockets to `url`, split evenly."""

    def __init__(self, url: str, cookies: list[str], processes: int) -> None:
        self.processes = []
        chunks = [cookies[i::processes] for i in range(processes)]
        for chunk in chunks:
            process = subprocess.Popen(  # noqa: S603 - this module, fixed arguments
                [sys.executable, "-m", "bench.live", "client"],
                cwd=ROOT_DIR,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            process.stdin.write(json.dumps({"url": url, "cookies": chunk}) + "\n")
            process.stdin.flush()
            self.processes.append(process)
        answers = [self._read(p) for p in self.processes]
        self.connected = sum(a["ready"] for a in answers)
        self.failed = sum(a["failed"] for a in answers)
        self.connect_seconds = max(a["seconds"] for a in answers)

    @staticmethod
    def _read(process: subprocess.Popen) -> dict:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("a bench client process exited")
        return json.loads(line)

    def report(self) -> tuple[dict[str, tuple[int, float]], int]:
        """{token: (sockets that received it, latest arrival)}, and sockets still open."""
        for p in self.processes:
            p.stdin.write("report\n")
            p.stdin.flush()
        merged: dict[str, list] = {}
        still_open = 0
        for p in self.processes:
            answer = self._read(p)
            still_open += answer["open"]
            for key, (count, at) in answer["arrivals"].items():
                seen = merged.setdefault(key, [0, 0.0])
                seen[0] += count
                seen[1] = max(seen[1], at)
        return {k: (v[0], v[1]) for k, v in merged.items()}, still_open

    def close(self) -> None:
        for p in self.processes:
            try:
                p.stdin.write("close\n")
                p.stdin.flush()
            except OSError:
                pass
        for p in self.processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


# --- the floor: a bare websockets relay -----------------------------------------------------


async def _floor(port: int) -> None:
    from http import HTTPStatus
    from urllib.parse import parse_qs, urlsplit

    import websockets
    from websockets.asyncio.server import broadcast, serve

    connected: set = set()

    async def handler(ws) -> None:
        connected.add(ws)
        try:
            await ws.wait_closed()
        finally:
            connected.discard(ws)

    def relay(connection, request):
        parts = urlsplit(request.path)
        if parts.path == "/healthz":
            return connection.respond(HTTPStatus.OK, "ok\n")
        if parts.path == "/relay":
            key = parse_qs(parts.query)["key"][0]
            message = json.dumps(
                {
                    "type": "status.created",
                    "status": {"id": 1, "body": f"live probe zq{key}qz", "pad": "x" * FLOOR_PAD},
                },
                separators=(",", ":"),
            )
            broadcast(connected, message)
            return connection.respond(HTTPStatus.OK, "ok\n")
        return None

    async with serve(handler, "127.0.0.1", port, process_request=relay, compression=None):
        await asyncio.Future()
    del websockets


def start_floor(port: int) -> subprocess.Popen:
    from .servers import _wait_healthy

    process = subprocess.Popen(  # noqa: S603 - this module, fixed arguments
        [sys.executable, "-m", "bench.live", "floor", str(port)],
        cwd=ROOT_DIR,
    )
    return _wait_healthy(process, port, "the floor relay")


# --- posting --------------------------------------------------------------------------------


class Poster:
    """Posts probes, rotating writers (the product allows 10 statuses per person a minute)."""

    def __init__(self, api_port: int, writer_keys: list[str]) -> None:
        import requests

        self.url = f"http://127.0.0.1:{api_port}/api/v1/statuses/"
        self.keys = itertools.cycle(writer_keys)
        self.lock = threading.Lock()
        self.local = threading.local()
        self.requests = requests
        self.run = uuid.uuid4().hex[:6]
        self.count = itertools.count()

    def _session(self):
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = self.requests.Session()
        return session

    def token(self) -> str:
        return f"{self.run}n{next(self.count)}"

    def post(self, token: str) -> int:
        with self.lock:
            key = next(self.keys)
        response = self._session().post(
            self.url,
            json={"body": f"live probe zq{token}qz"},
            headers={"X-Session-Token": key},
            timeout=30,
        )
        return response.status_code

    def relay(self, port: int, token: str) -> int:
        return (
            self._session()
            .get(f"http://127.0.0.1:{port}/relay", params={"key": token}, timeout=30)
            .status_code
        )


def paced_latencies(clients: Clients, send, posts: int, token) -> tuple[list[float], int, int]:
    """`posts` sends, one every PACE_S; per post, latest arrival minus send start (ms). Returns
    the latencies, the errors, and the posts that did not reach every socket."""
    sent: dict[str, float] = {}
    errors = 0
    next_at = time.monotonic()
    for _ in range(posts):
        next_at += PACE_S
        key = token()
        sent[key] = time.time()
        if send(key) not in (200, 201):
            errors += 1
        time.sleep(max(0.0, next_at - time.monotonic()))
    time.sleep(1.0)
    arrivals, _ = clients.report()
    latencies, incomplete = [], 0
    for key, at in sent.items():
        count, last = arrivals.get(key, (0, 0.0))
        if count < clients.connected:
            incomplete += 1
        if count:
            latencies.append((last - at) * 1000)
    return latencies, errors, incomplete


# --- process measurements -------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- scenarios ------------------------------------------------------------------------------


def _latency_rows(
    ctx: Context, api_port: int, socket_ports: dict[str, int], floor_port: int, poster: Poster
) -> list[Result]:
    from .company import sessions

    followers = ctx.shared["followers"]
    posts = 15 if ctx.quick else 120
    cookies = list(sessions(followers).values())
    processes = 2
    rows: list[Result] = []
    figures: dict[str, list[float]] = {}
    problems: dict[str, str] = {}

    def measure(name: str, url: str, send, n: int, cookies: list[str]) -> None:
        clients = Clients(url, cookies, processes if len(cookies) > 50 else 1)
        try:
            log(
                f"live: {name}: {clients.connected} sockets in {clients.connect_seconds:.1f} s"
                + (f", {clients.failed} failed" if clients.failed else "")
            )
            time.sleep(0.5)
            clients.report()  # drop anything sent on connect
            latencies, errors, incomplete = paced_latencies(clients, send, n, poster.token)
        finally:
            clients.close()
        figures[name] = latencies
        notes = []
        if clients.failed:
            notes.append(f"{clients.failed} sockets failed to connect")
        if errors:
            notes.append(f"{errors} send errors")
        if incomplete:
            notes.append(f"{incomplete} posts missed some socket")
        problems[name] = "; ".join(notes)

    floor_send = lambda key: poster.relay(floor_port, key)  # noqa: E731
    measure("floor", f"ws://127.0.0.1:{floor_port}/", floor_send, posts, cookies)
    for server, port in socket_ports.items():
        measure(server, f"ws://127.0.0.1:{port}/ws/stream/", poster.post, posts, cookies)
    few = cookies[:10]
    for server, port in socket_ports.items():
        measure(f"{server} x10", f"ws://127.0.0.1:{port}/ws/stream/", poster.post, posts, few)

    floor = figures["floor"]
    floor_p99 = percentile(floor, 99)
    n = len(cookies)
    rows.append(
        Result.from_samples(
            f"live floor: bare websockets relay -> last of {n:,} sockets",
            floor,
            target="(floor)",
            passed=None,
            notes=problems["floor"],
        )
    )
    for i, server in enumerate(socket_ports):
        row = Result.from_samples(
            f"live post -> last of {n:,} followers ({server})",
            figures[server],
            target="p99 <= 2 x floor p99" if i == 0 else "(comparison)",
            passed=None,
            floor=floor_p99,
            notes=problems[server],
        )
        row.ratio = row.p99 / floor_p99 if floor_p99 else None
        if i == 0:
            row.passed = (
                row.ratio is not None and row.ratio <= 2 and not problems[server] and not ctx.quick
            ) or (None if ctx.quick else False)
        rows.append(row)
    for i, server in enumerate(socket_ports):
        row = Result.from_samples(
            f"live post -> 10 followers ({server})",
            figures[f"{server} x10"],
            target="p99 <= 20 ms" if i == 0 else "(comparison)",
            passed=None,
            notes=problems[f"{server} x10"],
        )
        if i == 0 and not ctx.quick:
            row.passed = row.p99 <= 20 and not problems[f"{server} x10"]
        rows.append(row)
    return rows


def _write_rows(ctx: Context, api_port: int, socket_port: int, server: str, poster: Poster):
    from .company import sessions

    followers = ctx.shared["followers"]
    total = 150 if ctx.quick else 800
    cookies = list(sessions(followers).values())
    clients = Clients(f"ws://127.0.0.1:{socket_port}/ws/stream/", cookies, 2)
    log(f"live: writes: {clients.connected} followers connected to {server}")
    tokens = [poster.token() for _ in range(total)]
    latencies: list[float] = []
    errors = 0

    def one(token: str) -> None:
        nonlocal errors
        started = time.perf_counter()
        try:
            code = poster.post(token)
        except Exception:
            code = 0
        latencies.append((time.perf_counter() - started) * 1000)
        if code != 201:
            errors += 1

    try:
        clients.report()
        started, started_wall = time.perf_counter(), time.time()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(one, tokens))
        elapsed = time.perf_counter() - started
        # Delivery may lag the writes: give it time to drain, then count.
        deadline = time.monotonic() + 30
        arrivals: dict = {}
        while time.monotonic() < deadline:
            time.sleep(1.0)
            more, still_open = clients.report()
            for key, (count, at) in more.items():
                seen = arrivals.get(key, (0, 0.0))
                arrivals[key] = (seen[0] + count, max(seen[1], at))
            if sum(arrivals.get(t, (0,))[0] for t in tokens) >= total * clients.connected:
                break
    finally:
        clients.close()
    delivered = sum(arrivals.get(t, (0,))[0] for t in tokens)
    expected = total * clients.connected
    drained = max((at for _, at in arrivals.values()), default=0.0)
    rate = total / elapsed
    row = Result.from_samples(
        f"POST /api/v1/statuses/ x16 clients, {clients.connected:,} followers on {server}",
        latencies,
        target=">= 100 statuses/s, no errors",
        passed=None if ctx.quick else (rate >= 100 and errors == 0),
        notes=f"{errors} errors; value = statuses/s; latency columns: request ms",
    )
    row.value = rate
    row.unit = "statuses/s, ms"
    completeness = Result(
        scenario=f"  delivery of those {total} posts to {clients.connected:,} followers",
        target="every follower gets every post",
        passed=None if ctx.quick else delivered == expected,
        unit="%",
        value=100 * delivered / expected if expected else 0.0,
        samples=expected,
        notes=f"{delivered:,} of {expected:,} frames; the last arrived "
        f"{max(0.0, drained - started_wall - elapsed):.1f} s after the last write",
    )
    return [row, completeness]


def _idle_rows(ctx: Context, server: str, start, target: bool) -> list[Result]:
    from .company import sessions
    from .servers import free_port, stop

    idle = ctx.shared["idle"]
    cookies = ctx.shared.get("idle_cookies")
    if cookies is None:
        cookies = ctx.shared["idle_cookies"] = list(sessions(idle).values())
    port = free_port()
    process = start(port)
    window = 4 if ctx.quick else 30
    try:
        url = f"ws://127.0.0.1:{port}/ws/stream/"
        warm = Clients(url, cookies[:5], 1)  # import the consumer, start the hub's tasks
        warm.close()
        time.sleep(2.0)
        before = rss_kib(process.pid)
        clients = Clients(url, cookies, 4)
        try:
            time.sleep(2.0 if ctx.quick else 5.0)
            after = rss_kib(process.pid)
            cpu0, t0 = cpu_seconds(process.pid), time.monotonic()
            time.sleep(window)
            cpu1, t1 = cpu_seconds(process.pid), time.monotonic()
            _, still_open = clients.report()
        finally:
            clients.close()
    finally:
        stop([process])
    n = clients.connected
    per_socket = (after - before) / n if n else float("nan")
    cpu = 100 * (cpu1 - cpu0) / (t1 - t0)
    want = len(cookies)
    judged = target and not ctx.quick
    return [
        Result(
            scenario=f"idle sockets held by one {server} process",
            unit="sockets",
            value=n,
            target=f">= {want:,}",
            passed=(n >= want and still_open >= want) if judged else None,
            samples=1,
            notes=f"connected in {clients.connect_seconds:.1f} s; {still_open:,} still open "
            f"after {window} s",
        ),
        Result(
            scenario=f"  memory per idle socket ({server})",
            unit="KiB",
            value=per_socket,
            target="<= 100 KiB above baseline",
            passed=per_socket <= 100 if judged else None,
            samples=n,
            notes=f"VmRSS {before / 1024:.0f} MiB -> {after / 1024:.0f} MiB",
        ),
        Result(
            scenario=f"  idle CPU with {n:,} sockets ({server})",
            unit="% core",
            value=cpu,
            target="<= 5 % of a core",
            passed=cpu <= 5 if judged else None,
            samples=1,
            notes=f"utime+stime over {window} s",
        ),
    ]


def _layer_rows(ctx: Context) -> list[Result]:
    from . import fanout

    receivers = ctx.followers
    events = 10 if ctx.quick else 20
    rows = []
    for name, fn in (
        ("channels-redis RedisChannelLayer groups", fanout.via_groups),
        ("channels-redis RedisPubSubChannelLayer groups", fanout.via_pubsub_groups),
        ("process hub (one subscription, encoded once)", fanout.via_hub),
    ):
        seconds = [asyncio.run(fn(receivers, events)) for _ in range(1 if ctx.quick else 3)]
        best = min(seconds)
        row = Result.from_samples(
            f"fan-out {receivers:,} receivers x {events} events: {name}",
            [s * 1000 / events for s in seconds],
            target="(comparison)",
            passed=None,
            notes="ms per event to all receivers, routing only (no sockets); "
            f"value = deliveries/s (best of {len(seconds)})",
        )
        row.value = receivers * events / best
        row.unit = "ms/event"
        rows.append(row)
    gc.collect()
    return rows


def run(ctx: Context) -> list[Result]:
    from . import servers
    from .company import sessions

    began = time.perf_counter()
    env = {**ctx.env, "LOG_LEVEL": "WARNING"}
    writer_keys = list(sessions(ctx.shared["writers"]).values())
    api_port, daphne_port, uvicorn_port, floor_port = (servers.free_port() for _ in range(4))
    processes = []
    rows: list[Result] = []
    try:
        with ThreadPoolExecutor(4) as pool:
            started = [
                pool.submit(servers.start_uvicorn, api_port, env, workers=2),
                pool.submit(servers.start_daphne, daphne_port, env),
                pool.submit(servers.start_uvicorn, uvicorn_port, env),
                pool.submit(start_floor, floor_port),
            ]
        processes += [f.result() for f in started if f.exception() is None]
        for future in started:
            future.result()  # the first server that failed to start stops the run
        log(f"live: servers up ({time.perf_counter() - began:.0f} s)")
        poster = Poster(api_port, writer_keys)
        # The first is the deployed socket server, judged against the targets; then Daphne.
        ports = {"uvicorn": uvicorn_port, "daphne": daphne_port}
        rows += _latency_rows(ctx, api_port, ports, floor_port, poster)
        rows += _write_rows(ctx, api_port, uvicorn_port, "uvicorn", poster)
    finally:
        servers.stop(processes)
    rows += _idle_rows(ctx, "uvicorn", lambda port: servers.start_uvicorn(port, env), True)
    if not ctx.quick:  # the comparison; quick keeps to its minute
        rows += _idle_rows(ctx, "daphne", lambda port: servers.start_daphne(port, env), False)
    rows += _layer_rows(ctx)
    return rows


def main() -> None:
    if sys.argv[1:2] == ["client"]:
        import uvloop

        config = json.loads(sys.stdin.readline())
        uvloop.run(_client(config))
    elif sys.argv[1:2] == ["floor"]:
        import uvloop

        uvloop.run(_floor(int(sys.argv[2])))
    else:
        sys.exit(
            "usage: python -m bench.live client|floor PORT (run the scenarios: python -m bench)"
        )


if __name__ == "__main__":
    main()

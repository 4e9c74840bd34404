"""A small HTTP/1.1 keep-alive load client, run in its own process (`python -m bench.httpload`).

One harness for a scenario and its floor: raw `asyncio` streams, one persistent connection per
client, `Content-Length` framing (the app answers JSON with a length; chunked answers are
refused). Reads a JSON job on stdin, writes a JSON answer on stdout:

    {"port": 8000, "mode": "serial", "requests": [[path, {header: value}], ...],
     "n": 300, "warmup": 20}
        -> {"latencies": [ms, ...], "errors": 0, "statuses": {"200": 300}}
    {"port": 8000, "mode": "load", "requests": [...], "clients": 32, "seconds": 10,
     "warmup_seconds": 1}
        -> {"latencies": [...], "errors": 0, "seconds": 10.0, "rps": 812.3, ...}

In both modes the client cycles through `requests` (a client `i` of the load starts at
request `i`), so the three feed viewers are spread over the connections.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter


class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def get(self, path: str, headers: dict) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Accept: */*"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length = None
        close = False
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                raise RuntimeError("chunked answers are not supported by this client")
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def serial(job: dict) -> dict:
    requests = job["requests"]
    conn = Connection(job["port"])
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = 0
    sizes: list[int] = []
    for n in range(job.get("warmup", 0) + job["n"]):
        path, headers = requests[n % len(requests)]
        started = time.perf_counter()
        status, body = await conn.get(path, headers)
        elapsed = (time.perf_counter() - started) * 1000
        if n < job.get("warmup", 0):
            continue
        statuses[str(status)] += 1
        if status != 200:
            errors += 1
        latencies.append(elapsed)
        sizes.append(len(body))
    conn.close()
    return {
        "latencies": latencies,
        "errors": errors,
        "statuses": statuses,
        "bytes": sum(sizes) / max(1, len(sizes)),
    }


async def load(job: dict) -> dict:
    requests = job["requests"]
    clients = job["clients"]
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = 0
    measuring = False
    stop = False

    async def client(i: int) -> None:
        nonlocal errors
        conn = Connection(job["port"])
        await conn.open()
        n = i
        while not stop:
            path, headers = requests[n % len(requests)]
            n += 1
            started = time.perf_counter()
            try:
                status, _ = await conn.get(path, headers)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
                if measuring:
                    errors += 1
                continue
            if measuring and not stop:
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[str(status)] += 1
                if status != 200:
                    errors += 1
        conn.close()

    tasks = [asyncio.create_task(client(i)) for i in range(clients)]
    await asyncio.sleep(job.get("warmup_seconds", 1))
    measuring = True
    started = time.perf_counter()
    await asyncio.sleep(job["seconds"])
    stop = True
    seconds = time.perf_counter() - started
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "latencies": latencies,
        "errors": errors,
        "statuses": statuses,
        "seconds": seconds,
        "rps": len(latencies) / seconds,
    }


def main() -> None:
    job = json.load(sys.stdin)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    answer = asyncio.run(serial(job) if job["mode"] == "serial" else load(job))
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()

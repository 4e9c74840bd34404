"""Live counts only to those who look (issue 21, point 2): what one reaction costs a socket
process, with 1,000 and with 5,000 idle sockets in it.

    .venv/bin/python -m bench.watch [--rounds 7] [--events 2000]   (alone: no company needed)
    make bench BENCH_ARGS="--only watch"                             (a row group of the table)

The sockets are in-process hub registrations, not real WebSockets: 5,000 real sockets need the
bench company's sessions and client processes (the `live` group holds that many on Uvicorn for
its idle rows), and what a reaction costs there beyond routing (reading one message from Redis,
writing one frame to each recipient) does not depend on the idle sockets either. Here a process's
hub (`core.streaming.Hub`, its background tasks left out) holds N registrations shaped like a
company's: 20 departments, 20 follows, 3 of 50 communities and 20 statuses on screen each
(watched ids drawn from 50,000 recent statuses). Each reaction is the message `feeds.events`
publishes (`counts_audience`: the author, a thread of three, the watchers, the status's readers)
for one of three statuses: company-wide, a department's, a private community's; five sockets
watch each. The hub decodes, routes and hands each recipient the encoded text, as from Redis.

Figure: CPU time of the process (`time.process_time`) per reaction event, median of rounds that
alternate N = 1,000 and 5,000; target: 5,000 costs the same within noise (ratio <= 1.3). The same
events sent the way they were before (`everyone=True`) are printed for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
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


def run(ctx: Context) -> list[Result]:
    rounds, events = (3, 500) if ctx.quick else (7, 2000)
    log(f"watch: {rounds} rounds of {events} reactions at {SIZES} idle sockets")
    return rows(measure(rounds, events), judged=not ctx.quick)


def main() -> None:
    from .common import table

    parser = argparse.ArgumentParser(prog="python -m bench.watch")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_social.settings")
    import django

    django.setup()
    result = rows(measure(args.rounds, args.events), judged=True)
    print(table(result))
    sys.exit(0 if all(r.passed is not False for r in result) else 1)


if __name__ == "__main__":
    main()

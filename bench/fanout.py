"""Fan-out of one event to many local sockets: Channels groups versus the process hub.

    REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python -m bench.fanout --sockets 300 --events 100

Both designs run in one process against the same Redis, without real sockets (each receiver
records the text it would send), so the figure is the cost of routing alone:

- groups: every receiver has its own channels-redis channel in one group; one `group_send`
  per event, then every receiver reads its own channel (the straightforward Channels set-up);
- hub: one Redis pub/sub subscription; each event is published once and routed in memory to
  the receivers, encoded once (core.streaming).
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time


def fail(message: str) -> None:
    sys.exit(f"bench: {message}")


async def via_groups(sockets: int, events: int) -> float:
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[os.environ["REDIS_URL"]], prefix="bench", capacity=10_000)
    return await _through_layer(layer, sockets, events, settle=0.0)


async def via_pubsub_groups(sockets: int, events: int) -> float:
    """The same with channels-redis's RedisPubSubChannelLayer: one Redis pub/sub channel per
    group, each process copies a group message into its local channels."""
    from channels_redis.pubsub import RedisPubSubChannelLayer

    layer = RedisPubSubChannelLayer(hosts=[os.environ["REDIS_URL"]], prefix="benchps")
    # Its group subscription is made in the background once the readers wait.
    return await _through_layer(layer, sockets, events, settle=0.2)


async def _through_layer(layer, sockets: int, events: int, *, settle: float) -> float:
    """One channel per socket in one group, one `group_send` per event; seconds until every
    channel has read (and, like `send_json`, encoded) every event."""
    channels = [await layer.new_channel() for _ in range(sockets)]
    for name in channels:
        await layer.group_add("everyone", name)
    received = 0

    async def reader(name: str) -> None:
        nonlocal received
        for _ in range(events):
            message = await layer.receive(name)
            json.dumps(message["event"])  # each consumer encodes its own copy (send_json)
            received += 1

    readers = [asyncio.create_task(reader(name)) for name in channels]
    if settle:
        await asyncio.sleep(settle)
    started = time.perf_counter()
    for i in range(events):
        await layer.group_send("everyone", {"type": "stream.event", "event": {"n": i}})
    await asyncio.gather(*readers)
    elapsed = time.perf_counter() - started
    for name in channels:
        await layer.group_discard("everyone", name)
    await layer.flush()
    assert received == sockets * events
    return elapsed


class Receiver:
    def __init__(self, user_id: int):
        self.user_id = user_id
        self.department_id = None
        self.followees: set[int] = set()
        self.communities: set[int] = set()
        self.session_key = None
        self.count = 0

    async def deliver(self, event: dict, text: str) -> None:
        self.count += 1

    async def close_stream(self, code: int) -> None:
        pass


async def via_hub(sockets: int, events: int) -> float:
    from core.realtime import Audience, publish
    from core.streaming import hub

    receivers = [Receiver(i + 1) for i in range(sockets)]
    for receiver in receivers:
        hub.add(receiver)
    if not await hub.wait_subscribed(timeout=5):
        fail("the hub could not subscribe to Redis")
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    for i in range(events):
        message = {"audience": Audience(everyone=True).__dict__, "event": {"n": i}}
        await loop.run_in_executor(None, publish, message)
    while sum(r.count for r in receivers) < sockets * events:
        await asyncio.sleep(0.001)
    elapsed = time.perf_counter() - started
    for receiver in receivers:
        hub.remove(receiver)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sockets", type=int, default=300)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        fail("set REDIS_URL: fan-out is measured on Redis")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_social.settings")
    import django

    django.setup()
    groups, pubsubs, hubs = [], [], []
    for _ in range(args.rounds):
        groups.append(asyncio.run(via_groups(args.sockets, args.events)))
        pubsubs.append(asyncio.run(via_pubsub_groups(args.sockets, args.events)))
        hubs.append(asyncio.run(via_hub(args.sockets, args.events)))
    deliveries = args.sockets * args.events
    g, h = statistics.median(groups), statistics.median(hubs)
    p = statistics.median(pubsubs)
    print(f"{args.sockets} receivers x {args.events} events = {deliveries:,} deliveries, "
          f"median of {args.rounds} rounds")  # fmt: skip
    print(f"channels groups  {g * 1000:8.1f} ms   {deliveries / g:12,.0f} deliveries/s")
    print(f"channels pubsub  {p * 1000:8.1f} ms   {deliveries / p:12,.0f} deliveries/s")
    print(f"process hub      {h * 1000:8.1f} ms   {deliveries / h:12,.0f} deliveries/s")
    print(f"hub / groups     {g / h:8.1f} x faster")


if __name__ == "__main__":
    main()

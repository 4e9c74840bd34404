"""Live events: services publish after commit; each process routes them to its own sockets.

The shape is Mastodon's streaming server, measured against Channels' per-socket groups in
docs/architecture.md: an event is published once, with a description of its audience, on one
Redis pub/sub channel; every process holds one subscription and decides in memory which of its
local sockets should receive it, encoding the JSON once per event. Without `REDIS_URL` the
process delivers to its own sockets directly, except the job runner, which holds none: it
writes its events to the `OutboxEvent` table, which each server's hub reads.

The database stays the source of truth: a failing publish is logged and never fails the request
that wrote the data; clients catch up with `{"type": "resume", "after": <id>}`.
"""

import json
import logging
import threading
from dataclasses import asdict, dataclass, field
from datetime import timedelta

import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import OutboxEvent
from .streaming import channel, hub

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Audience:
    """Who receives an event: the union of the parts that are set."""

    user_ids: tuple[int, ...] = ()
    followers_of: int | None = None  # everyone who follows this author
    department_id: int | None = None  # everyone currently in this department
    community_id: int | None = None  # every socket whose person is an active member now
    everyone: bool = False
    session_keys: tuple[str, ...] = field(default=())  # control events for given sessions
    watchers_of: int | None = None  # every socket whose page shows this status (`watch`)
    # If set, a filter on the union above: only the sockets this audience would reach (a
    # status's readers, so that watching or being named never reveals what one cannot read).
    # Checked per recipient against the socket's department, follows and memberships as they
    # are when the event arrives, never by visiting every socket.
    readers: "Audience | None" = None


def encode(message: dict) -> str:
    return json.dumps(message, cls=DjangoJSONEncoder, separators=(",", ":"))


def broadcast_on_commit(event: dict, audience: Audience) -> None:
    """Publish `event` to `audience` once the current transaction commits (now if none)."""
    broadcast_many_on_commit([(event, audience)])


def broadcast_many_on_commit(items: list[tuple[dict, Audience]]) -> None:
    """Publish each (event, audience) once the current transaction commits, in one Redis round
    trip: one action that notifies thousands of people must not cost thousands of them."""
    if not items:
        return
    messages = [{"audience": asdict(audience), "event": event} for event, audience in items]

    def send() -> None:
        try:
            publish_many(messages)
        except Exception:
            # The data is committed; clients will get it on resume. Never fail the request.
            kinds = sorted({str(m["event"].get("type")) for m in messages})
            logger.exception("realtime: could not publish %s", ", ".join(kinds))

    transaction.on_commit(send)


OUTBOX_KEEP = timedelta(minutes=10)
_through_database = False


def publish_through_database() -> None:
    """For a process that holds no sockets (the job runner): without Redis, publish into the
    outbox table that every server's hub reads, instead of to this process's own hub."""
    global _through_database
    _through_database = True


_redis_lock = threading.Lock()
_redis_client = None


def _sync_redis():
    global _redis_client
    with _redis_lock:
        if _redis_client is None:
            _redis_client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=1.0
            )
        return _redis_client


def publish(message: dict) -> None:
    publish_many([message])


def publish_many(messages: list[dict]) -> None:
    texts = [encode(message) for message in messages]
    if settings.REDIS_URL:
        if len(texts) == 1:
            _sync_redis().publish(channel(), texts[0])
            return
        pipe = _sync_redis().pipeline(transaction=False)
        for text in texts:
            pipe.publish(channel(), text)
        pipe.execute()
    elif _through_database:
        now = timezone.now()
        OutboxEvent.objects.bulk_create([OutboxEvent(text=text, created_at=now) for text in texts])
        OutboxEvent.objects.filter(created_at__lt=now - OUTBOX_KEEP).delete()
    else:
        for text in texts:
            hub.deliver_threadsafe(text)

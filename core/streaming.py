"""The per-process hub: local sockets indexed by user, department, followee, community and the
statuses each socket's page shows (`watch`).

One hub per process. With Redis, one task holds one pub/sub subscription for the whole process;
each message names its audience, the hub picks the local sockets in memory and hands each the
same encoded text. If the subscription drops, every local socket is closed with 4012 (service
restart): clients reconnect with backoff and resume from their last status, so nothing is lost.
Without Redis the hub also reads the outbox table, where the job runner (a process without
sockets) writes its events.
"""

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from typing import Protocol

import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from .models import OutboxEvent

logger = logging.getLogger(__name__)


def channel() -> str:
    """The one Redis pub/sub channel of live events (per `REDIS_PREFIX`)."""
    return f"{settings.REDIS_PREFIX}:events"


RECONNECT_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0)
# "Service restart: reconnect and resume". Not 1012: Daphne (autobahn) only sends 1000 and
# 3000-4999, and silently keeps the socket open for any other code (found by make chaos).
SUBSCRIPTION_LOST = 4012
SESSION_ENDED = 4401  # logged out or deactivated: the client stays closed
SWEEP_SECONDS = 3.0
OUTBOX_SECONDS = 0.5
WATCH_LIMIT = 200  # statuses one socket may watch at once (its page's cards on screen)


class Subscriber(Protocol):
    user_id: int
    department_id: int | None
    followees: set[int]
    communities: set[int]
    session_key: str | None

    async def deliver(self, event: dict, text: str) -> None: ...

    async def close_stream(self, code: int) -> None: ...


class Hub:
    def __init__(self) -> None:
        self.by_user: dict[int, set[Subscriber]] = defaultdict(set)
        self.by_department: dict[int, set[Subscriber]] = defaultdict(set)
        self.by_followee: dict[int, set[Subscriber]] = defaultdict(set)
        self.by_community: dict[int, set[Subscriber]] = defaultdict(set)
        # Status id -> the sockets watching it, and each socket's watched ids (kept here, not on
        # the socket, so that removing a socket leaves no id behind).
        self.by_status: dict[int, set[Subscriber]] = defaultdict(set)
        self.watched: dict[Subscriber, frozenset[int]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncio.Task | None = None
        self._sweeper: asyncio.Task | None = None
        self._outbox: asyncio.Task | None = None
        self.subscribed: asyncio.Event | None = None

    # --- membership --------------------------------------------------------------------------

    async def wait_subscribed(self, timeout: float = 3.0) -> bool:
        self._ensure_tasks()
        try:
            await asyncio.wait_for(self.subscribed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def add(self, sub: Subscriber) -> None:
        self._ensure_tasks()
        self.by_user[sub.user_id].add(sub)
        if sub.department_id is not None:
            self.by_department[sub.department_id].add(sub)
        for followee in sub.followees:
            self.by_followee[followee].add(sub)
        for community in sub.communities:
            self.by_community[community].add(sub)

    def remove(self, sub: Subscriber) -> None:
        _discard(self.by_user, sub.user_id, sub)
        if sub.department_id is not None:
            _discard(self.by_department, sub.department_id, sub)
        for followee in sub.followees:
            _discard(self.by_followee, followee, sub)
        for community in sub.communities:
            _discard(self.by_community, community, sub)
        for status_id in self.watched.pop(sub, ()):
            _discard(self.by_status, status_id, sub)

    def watch(self, sub: Subscriber, status_ids) -> None:
        """The socket's page now shows these statuses: replaces what it watched before. The
        caller validates and bounds the ids (WATCH_LIMIT); the cost is the size of the change."""
        new = frozenset(status_ids)
        old = self.watched.get(sub, frozenset())
        for status_id in old - new:
            _discard(self.by_status, status_id, sub)
        for status_id in new - old:
            self.by_status[status_id].add(sub)
        if new:
            self.watched[sub] = new
        else:
            self.watched.pop(sub, None)

    def follow_changed(self, sub: Subscriber, followee: int, following: bool) -> None:
        if following:
            sub.followees.add(followee)
            self.by_followee[followee].add(sub)
        else:
            sub.followees.discard(followee)
            _discard(self.by_followee, followee, sub)

    def membership_changed(self, sub: Subscriber, community: int, active: bool) -> None:
        """The person joined or left a community: route its posts to this socket or stop."""
        if active:
            sub.communities.add(community)
            self.by_community[community].add(sub)
        else:
            sub.communities.discard(community)
            _discard(self.by_community, community, sub)

    def subscribers(self) -> list[Subscriber]:
        return [sub for subs in self.by_user.values() for sub in subs]

    # --- routing -----------------------------------------------------------------------------

    def audience_of(self, audience: dict) -> set[Subscriber]:
        if audience.get("everyone"):
            return set(self.subscribers())
        targets: set[Subscriber] = set()
        for user_id in audience.get("user_ids") or ():
            targets |= self.by_user.get(user_id, set())
        if audience.get("followers_of") is not None:
            targets |= self.by_followee.get(audience["followers_of"], set())
        if audience.get("department_id") is not None:
            targets |= self.by_department.get(audience["department_id"], set())
        if audience.get("community_id") is not None:
            targets |= self.by_community.get(audience["community_id"], set())
        if audience.get("watchers_of") is not None:
            targets |= self.by_status.get(audience["watchers_of"], set())
        sessions = set(audience.get("session_keys") or ())
        if sessions:
            targets = {t for t in targets if t.session_key in sessions}
        readers = audience.get("readers")
        if readers is not None and targets:
            # Per candidate, never per socket of the process: a status's audience rules decide
            # what its watchers, author and thread receive, as they are now.
            may_read = _reader_test(readers)
            targets = {t for t in targets if may_read(t)}
        return targets

    async def dispatch(self, text: str) -> None:
        try:
            message = json.loads(text)
            event = message["event"]
            audience = message["audience"]
        except (ValueError, KeyError, TypeError):
            logger.warning("realtime: dropped a malformed message")
            return
        targets = self.audience_of(audience)
        if not targets:
            return
        # Encoded once for everyone: the event is the same for every recipient.
        payload = json.dumps(event, separators=(",", ":"))
        for sub in targets:
            try:
                await sub.deliver(event, payload)
            except Exception:
                logger.exception("realtime: delivery to a socket failed")

    def deliver_threadsafe(self, text: str) -> None:
        """From a request thread (in-memory mode): hand the message to the hub's loop."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        asyncio.run_coroutine_threadsafe(self.dispatch(text), loop)

    # --- background tasks --------------------------------------------------------------------

    def _ensure_tasks(self) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            # A new event loop (tests start one per test): forget the old one's tasks.
            self.loop = loop
            self._listener = None
            self._sweeper = None
            self._outbox = None
            self.subscribed = asyncio.Event()
            if not settings.REDIS_URL:
                self.subscribed.set()
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = loop.create_task(self._sweep_forever())
        if settings.REDIS_URL and (self._listener is None or self._listener.done()):
            self._listener = loop.create_task(self._listen_forever())
        if not settings.REDIS_URL and (self._outbox is None or self._outbox.done()):
            self._outbox = loop.create_task(self._read_outbox_forever())

    async def _listen_forever(self) -> None:
        attempt = 0
        while True:
            # No silent retry: redis-py would reconnect and resubscribe by itself, and events
            # published while Redis was down would be lost without any client resuming.
            client = aioredis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1.0, retry=Retry(NoBackoff(), 0)
            )
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(channel())
                self.subscribed.set()
                if attempt:
                    # Sockets accepted while we were not subscribed resumed from the database
                    # but missed what was published since: make them resume once more.
                    await self.close_all(code=SUBSCRIPTION_LOST)
                attempt = 0
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        await self.dispatch(message["data"].decode())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.subscribed.clear()
                logger.error("realtime: Redis subscription lost (%s); closing local sockets", exc)
                # Events published meanwhile are lost to us: make every client resume.
                await self.close_all(code=SUBSCRIPTION_LOST)
                await asyncio.sleep(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
                attempt += 1
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                    await client.aclose()

    async def _read_outbox_forever(self) -> None:
        """Without Redis: deliver the events the job runner wrote since the first socket came."""
        try:
            last = await database_sync_to_async(_outbox_last_id)()
        except Exception:
            logger.exception("realtime: could not read the outbox")
            return
        while self.by_user:
            await asyncio.sleep(OUTBOX_SECONDS)
            try:
                rows = await database_sync_to_async(_outbox_after)(last)
            except Exception:
                logger.exception("realtime: could not read the outbox")
                continue
            for pk, text in rows:
                last = pk
                await self.dispatch(text)

    async def close_all(self, *, code: int) -> None:
        for sub in self.subscribers():
            with contextlib.suppress(Exception):
                await sub.close_stream(code)

    async def _sweep_forever(self) -> None:
        """Close sockets whose user was deactivated or whose session ended (logout)."""
        while self.by_user:
            await asyncio.sleep(SWEEP_SECONDS)
            subs = self.subscribers()
            if not subs:
                continue
            try:
                ended = await database_sync_to_async(_ended_subscribers)(subs)
            except Exception:
                logger.exception("realtime: session sweep failed")
                continue
            for sub in ended:
                with contextlib.suppress(Exception):
                    await sub.close_stream(SESSION_ENDED)


def _ended_subscribers(subs: list[Subscriber]) -> list[Subscriber]:
    Session = apps.get_model("sessions", "Session")  # noqa: N806  (a model class)
    user_ids = list({s.user_id for s in subs})
    keys = list({s.session_key for s in subs if s.session_key})
    now = timezone.now()
    if connection.vendor == "postgresql":
        # Each list goes as one comma-joined text parameter that PostgreSQL splits, and only
        # the ended sessions come back (usually none): with 5,000 sockets, Django compiling an
        # `__in` list, then psycopg dumping a 5,000-element array and reading 5,000 live keys
        # back, were most of an idle process's CPU (py-spy, issue 7). Session keys are
        # [a-z0-9] and ids are integers, so a comma never occurs in either.
        users = connection.ops.quote_name(get_user_model()._meta.db_table)
        sessions = connection.ops.quote_name(Session._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT id FROM {users}
                WHERE id = ANY(string_to_array(%s, ',')::bigint[]) AND NOT is_active""",  # noqa: S608 - table names from the models
                [",".join(map(str, user_ids))],
            )
            inactive = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                f"""SELECT k FROM unnest(string_to_array(%s, ',')) AS k
                WHERE NOT EXISTS (SELECT 1 FROM {sessions} s
                                  WHERE s.session_key = k AND s.expire_date > %s)""",  # noqa: S608
                [",".join(keys), now],
            )
            ended = {row[0] for row in cursor.fetchall()}
    else:
        inactive = set(
            get_user_model()
            .objects.filter(pk__in=user_ids, is_active=False)
            .values_list("pk", flat=True)
        )
        live = set(
            Session.objects.filter(session_key__in=keys, expire_date__gt=now).values_list(
                "session_key", flat=True
            )
        )
        ended = set(keys) - live
    return [s for s in subs if s.user_id in inactive or s.session_key in ended]


def _outbox_last_id() -> int:
    return OutboxEvent.objects.aggregate(last=Max("pk"))["last"] or 0


def _outbox_after(last: int) -> list[tuple[int, str]]:
    return list(OutboxEvent.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "text"))


def _reader_test(readers: dict):
    """A predicate on a socket: would `readers` (an audience) reach it? The same indexes as
    routing, asked the other way round (its user, department, follows, communities)."""
    if readers.get("everyone"):
        return lambda sub: True
    user_ids = frozenset(readers.get("user_ids") or ())
    department_id = readers.get("department_id")
    followee = readers.get("followers_of")
    community_id = readers.get("community_id")

    def may_read(sub: Subscriber) -> bool:
        return (
            sub.user_id in user_ids
            or (department_id is not None and sub.department_id == department_id)
            or (followee is not None and followee in sub.followees)
            or (community_id is not None and community_id in sub.communities)
        )

    return may_read


def _discard(index: dict, key, sub) -> None:
    bucket = index.get(key)
    if bucket is not None:
        bucket.discard(sub)
        if not bucket:
            del index[key]


hub = Hub()

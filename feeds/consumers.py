"""`/ws/stream/`: one socket per open page, relaying the events its person should hear.

Thin by design: it authenticates before accepting, registers with the process hub
(core.streaming) and relays. Reads go through selectors; it never writes.
"""

import json
import time
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.sessions import InstanceSessionWrapper

from core.streaming import SESSION_ENDED, WATCH_LIMIT, hub

from . import selectors
from .serializers import StatusSerializer

MAX_FRAME = 4096  # bytes a client message may have; resume and ping are tiny, and a watch of
# WATCH_LIMIT ids of up to 12 digits is about 2.7 KB
MAX_STATUS_ID = 2**63 - 1  # a bigint primary key
FLOOD_LIMIT = 20  # client messages…
FLOOD_WINDOW = 10.0  # …per this many seconds
SEEN_MEMORY = 2000  # status ids remembered to drop duplicates between resume and live
RESUME_LIMIT = 500
# Close codes. Daphne (autobahn) sends only 1000 and 3000-4999 and silently keeps the socket open
# for any other code (see core.streaming.SUBSCRIPTION_LOST), so the standard 1008 and
# 1009 are sent as 4000 + that code, like SESSION_ENDED (4401, after HTTP 401) and 4012 (1012).
FLOODED = 4008  # policy violation: more than FLOOD_LIMIT messages in FLOOD_WINDOW seconds
TOO_BIG = 4009  # a message over MAX_FRAME bytes


def transport_send(send):
    """The server's own `send`, under Channels' session middleware. That wrapper only acts on
    `http.response.start` (saving the session, setting its cookie), yet inspects the session on
    every message: live frames, sent once per socket per event, skip it (a fifth of the fan-out
    time in py-spy profiles, docs/performance.md)."""
    while isinstance(getattr(send, "__self__", None), InstanceSessionWrapper):
        send = send.__self__.real_send
    return send


class StreamConsumer(AsyncJsonWebsocketConsumer):
    # Events reach sockets through the process hub, not the channel layer: no alias, so no
    # per-socket channel and no blocking Redis read per socket.
    channel_layer_alias = "__stream_uses_the_hub__"

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=SESSION_ENDED)
            return
        context = await database_sync_to_async(selectors.stream_context)(user=user)
        self.user = user
        self.user_id = user.pk
        self.department_id = context["department_id"]
        self.followees = set(context["followees"])
        self.communities = set(context["communities"])
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self.resuming = False
        self.buffer: list[tuple[dict, str]] = []
        self.seen: deque[int] = deque(maxlen=SEEN_MEMORY)
        self.seen_set: set[int] = set()
        self.received: deque[float] = deque(maxlen=FLOOD_LIMIT)
        self.frame_send = transport_send(self.base_send)
        await hub.wait_subscribed()
        hub.add(self)
        self.registered = True
        await self.accept()

    async def disconnect(self, code):
        if getattr(self, "registered", False):
            hub.remove(self)
            self.registered = False

    # --- from the client ---------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if bytes_data is not None or text_data is None:
            await self.error("text_only", "Send JSON text frames.")
            return
        if len(text_data.encode()) > MAX_FRAME:
            await self.close(code=TOO_BIG)
            return
        now = time.monotonic()
        if len(self.received) == FLOOD_LIMIT and now - self.received[0] < FLOOD_WINDOW:
            await self.close(code=FLOODED)
            return
        self.received.append(now)
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.error("bad_json", "That was not JSON.")
            return
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "resume":
            await self.resume(content.get("after"))
        elif kind == "watch":
            await self.watch(content.get("status_ids"))
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.error("unknown_type", "Known message types: resume, watch, ping.")

    async def error(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail})

    async def watch(self, status_ids) -> None:
        """The statuses on the person's screen, replacing the previous set: their comment,
        reaction and poll counts reach this socket (if its person may read them when the event
        is sent: the hub checks). No database read: an id one cannot read is simply never
        delivered. Over WATCH_LIMIT distinct ids, the first WATCH_LIMIT are kept and an error
        says so; anything but a list of ids is refused and the previous set stays."""
        if not isinstance(status_ids, list) or not all(
            type(i) is int and 0 < i <= MAX_STATUS_ID for i in status_ids
        ):
            await self.error("bad_watch", '"status_ids" must be a list of status ids (numbers).')
            return
        if not getattr(self, "registered", False):
            return  # closing: nothing to route to any more, and nothing may stay in the index
        unique = list(dict.fromkeys(status_ids))
        hub.watch(self, unique[:WATCH_LIMIT])
        if len(unique) > WATCH_LIMIT:
            await self.error(
                "watch_truncated",
                f"At most {WATCH_LIMIT} statuses are watched at once; "
                f"the first {WATCH_LIMIT} of the {len(unique)} sent are watched.",
            )

    async def resume(self, after) -> None:
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            await self.error("bad_resume", '"after" must be the id of the last status you saw.')
            return
        # Buffer live events while the database is read, so none slips between the two.
        self.resuming = True
        sent, truncated = 0, False
        try:
            missed, truncated = await database_sync_to_async(missed_payloads)(
                user=self.user, after=after, limit=RESUME_LIMIT
            )
            for payload in missed:
                if payload["id"] in self.seen_set:
                    continue
                self.remember(payload["id"])
                await self.send_json({"type": "status.created", "status": payload})
                sent += 1
        finally:
            self.resuming = False
            buffered, self.buffer = self.buffer, []
            for event, text in buffered:
                await self.relay(event, text)
        await self.send_json({"type": "resume.done", "count": sent, "truncated": truncated})

    # --- from the hub ------------------------------------------------------------------------

    async def deliver(self, event: dict, text: str) -> None:
        kind = event.get("type", "")
        if kind == "_follow":
            hub.follow_changed(self, event["followee"], event["following"])
            return
        if kind == "community.membership":
            # Before anything later reaches this socket: a removed member hears no more of the
            # community from the next event on, without reconnecting.
            hub.membership_changed(self, event["community"]["id"], event["state"] == "active")
        if self.resuming:
            self.buffer.append((event, text))
            return
        await self.relay(event, text)

    async def relay(self, event: dict, text: str) -> None:
        if event.get("type") == "status.created":
            status_id = event["status"]["id"]
            if status_id in self.seen_set:
                return
            self.remember(status_id)
        await self.frame_send({"type": "websocket.send", "text": text})

    def remember(self, status_id: int) -> None:
        if len(self.seen) == self.seen.maxlen:
            self.seen_set.discard(self.seen[0])
        self.seen.append(status_id)
        self.seen_set.add(status_id)

    async def close_stream(self, code: int) -> None:
        await self.close(code=code)


def missed_payloads(*, user, after: int, limit: int) -> tuple[list[dict], bool]:
    """The statuses a resuming socket missed, as the API's objects (see selectors)."""
    statuses, truncated = selectors.statuses_missed(user=user, after=after, limit=limit)
    return StatusSerializer(statuses, many=True).data, truncated

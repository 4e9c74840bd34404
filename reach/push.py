"""Web push: encrypt (aes128gcm, RFC 8291), sign (VAPID, RFC 8292) and POST to each browser's
push service, from the job runner only.

A subscription is dropped only when its push service says it is gone (404, 410). A 429, a
5xx, a timeout or a refused connection keeps it, and the message is tried again later
(PushRetry), a few times: a push that arrives hours late is worth less than none, and its TTL
lets the push service drop it too. Every request goes through core.net's public-only session:
an endpoint whose name now resolves into the company network is not reached."""

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPusher, WebPushException

from core.net import UnsafeURL, check_public_url, public_session

from .models import PushRetry, PushSubscription

logger = logging.getLogger(__name__)

TTL = 12 * 3600
TIMEOUT = 5.0
MAX_ATTEMPTS = 4
GONE = (404, 410)
# Pushes awaited at once (a push service answers in tens of milliseconds; one at a time,
# 10,000 of them would take minutes).
CONCURRENCY = 8
# A VAPID token's lifetime (RFC 8292 allows up to 24 h; pywebpush's default is 12 h).
VAPID_TOKEN_HOURS = 12


def enabled() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


@dataclass
class Outcome:
    sent: int = 0
    gone: int = 0
    retry: int = 0


class Pusher:
    """Sends many pushes: CONCURRENCY push services' answers awaited at once (a push is mostly
    waiting for one), each thread with its own keep-alive session (core.net's public-only
    one, which checks the address of every connection it opens), the VAPID token signed once
    per push service (its origin, the token's audience) rather than per push. What the answers
    mean for the database (a subscription gone, a retry) is written by the calling thread."""

    def __init__(self, concurrency: int | None = None) -> None:
        self.concurrency = concurrency or CONCURRENCY
        self.vapid = Vapid.from_string(settings.VAPID_PRIVATE_KEY)
        self.outcome = Outcome()
        self._vapid_headers: dict[str, tuple[int, dict[str, str]]] = {}
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = public_session()
            with self._lock:
                self._sessions.append(session)
        return session

    def vapid_headers(self, endpoint: str) -> dict[str, str]:
        """The Authorization header for `endpoint`'s push service (RFC 8292): a token signed for
        its origin, valid VAPID_TOKEN_HOURS, reused until an hour before it expires."""
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = int(time.time())
        cached = self._vapid_headers.get(audience)
        if cached is None or cached[0] - now < 3600:
            expires = now + VAPID_TOKEN_HOURS * 3600
            claims = {"sub": settings.VAPID_SUBJECT, "aud": audience, "exp": expires}
            cached = (expires, self.vapid.sign(claims))
            self._vapid_headers[audience] = cached
        return dict(cached[1])

    def _post(
        self, subscription: PushSubscription, payload: dict, headers: dict[str, str]
    ) -> tuple[int | None, str]:
        """Encrypt and POST one push (no database): (HTTP status when it failed, error)."""
        try:
            check_public_url(subscription.endpoint, resolve_host=False)
            response = WebPusher(subscription.info(), requests_session=self._session()).send(
                json.dumps(payload, separators=(",", ":")),
                headers,
                ttl=TTL,
                content_encoding="aes128gcm",
                timeout=TIMEOUT,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            return status, f"HTTP {status}" if status else str(exc)[:200]
        except (requests.RequestException, UnsafeURL, OSError) as exc:
            return None, f"{type(exc).__name__}: {str(exc)[:200]}"
        except Exception as exc:  # a bug in one push must not stop the others: kept, retried
            logger.exception("push to subscription %s could not be sent", subscription.pk)
            return None, f"{type(exc).__name__}: {str(exc)[:200]}"
        if response.status_code > 202:
            return response.status_code, f"HTTP {response.status_code}"
        return None, ""

    def _record(
        self,
        subscription: PushSubscription,
        payload: dict,
        status: int | None,
        error: str,
        attempts: int,
    ) -> str:
        if not error:
            self.outcome.sent += 1
            return "sent"
        if status in GONE:
            PushSubscription.objects.filter(pk=subscription.pk).delete()
            self.outcome.gone += 1
            return "gone"
        self.outcome.retry += 1
        if attempts + 1 < MAX_ATTEMPTS:
            PushRetry.objects.create(
                subscription=subscription,
                payload=payload,
                attempts=attempts + 1,
                last_error=error[:300],
                next_attempt_at=timezone.now() + timedelta(minutes=2**attempts),
            )
        logger.info("push to subscription %s: %s (kept)", subscription.pk, error)
        return "retry"

    def send(self, subscription: PushSubscription, payload: dict, *, attempts: int = 0) -> str:
        """ "sent", "gone" (the subscription is deleted) or "retry" (queued for later)."""
        status, error = self._post(subscription, payload, self.vapid_headers(subscription.endpoint))
        return self._record(subscription, payload, status, error, attempts)

    def send_many(self, work: list[tuple[PushSubscription, list[tuple[dict, int]]]]) -> None:
        """For each subscription, its (payload, attempts so far) in order, none after the push
        service said it is gone; `concurrency` subscriptions at a time."""

        def one(subscription, items, headers):
            answers = []
            for payload, attempts in items:
                status, error = self._post(subscription, payload, headers)
                answers.append((payload, attempts, status, error))
                if status in GONE:
                    break
            return answers

        if not work:
            return
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures = {
                pool.submit(one, sub, items, self.vapid_headers(sub.endpoint)): sub
                for sub, items in work
            }
            for future in as_completed(futures):
                for payload, attempts, status, error in future.result():
                    self._record(futures[future], payload, status, error, attempts)


def push_many(
    items: list[tuple[int, dict]], subscriptions: list[PushSubscription] | None = None
) -> Outcome:
    """Send `payload` to every subscription of each user id in `items` (`subscriptions`: theirs,
    when the caller has read them already)."""
    if not enabled() or not items:
        return Outcome()
    by_user: dict[int, list[dict]] = {}
    for user_id, payload in items:
        by_user.setdefault(user_id, []).append(payload)
    if subscriptions is None:
        subscriptions = list(
            PushSubscription.objects.filter(user_id__in=list(by_user)).order_by("pk")
        )
    work = [
        (subscription, [(payload, 0) for payload in by_user[subscription.user_id]])
        for subscription in subscriptions
        if subscription.user_id in by_user
    ]
    pusher = Pusher()
    try:
        pusher.send_many(work)
    finally:
        pusher.close()
    return pusher.outcome


def retries_send_due(*, now: datetime | None = None, limit: int = 500) -> Outcome:
    now = now or timezone.now()
    if not enabled():
        return Outcome()
    due = list(
        PushRetry.objects.filter(next_attempt_at__lte=now)
        .select_related("subscription")
        .order_by("next_attempt_at", "id")[:limit]
    )
    if not due:
        return Outcome()
    # Claimed by deleting: a retry runs once even with two workers.
    claimed = [r for r in due if PushRetry.objects.filter(pk=r.pk).delete()[0]]
    by_subscription: dict[int, tuple[PushSubscription, list[tuple[dict, int]]]] = {}
    for retry in claimed:
        entry = by_subscription.setdefault(retry.subscription_id, (retry.subscription, []))
        entry[1].append((retry.payload, retry.attempts))
    pusher = Pusher()
    try:
        pusher.send_many(list(by_subscription.values()))
    finally:
        pusher.close()
    return pusher.outcome

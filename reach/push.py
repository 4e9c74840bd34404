"""Web push: encrypt (aes128gcm, RFC 8291), sign (VAPID, RFC 8292) and POST to each browser's
push service, from the job runner only.

A subscription is dropped only when its push service says it is gone (404, 410). A 429, a
5xx, a timeout or a refused connection keeps it, and the message is tried again later
(PushRetry), a few times: a push that arrives hours late is worth less than none, and its TTL
lets the push service drop it too. Every request goes through core.net's public-only session:
an endpoint whose name now resolves into the company network is not reached."""

import json
import logging
import time
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
    """Sends many pushes over one HTTP session (keep-alive per push service), signing the VAPID
    token once per push service (its origin, the token's audience) rather than per push."""

    def __init__(self) -> None:
        self.session = public_session()
        self.vapid = Vapid.from_string(settings.VAPID_PRIVATE_KEY)
        self.outcome = Outcome()
        self._vapid_headers: dict[str, tuple[int, dict[str, str]]] = {}

    def close(self) -> None:
        self.session.close()

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

    def send(self, subscription: PushSubscription, payload: dict, *, attempts: int = 0) -> str:
        """ "sent", "gone" (the subscription is deleted) or "retry" (queued for later)."""
        error = ""
        status = None
        try:
            check_public_url(subscription.endpoint, resolve_host=False)
            response = WebPusher(subscription.info(), requests_session=self.session).send(
                json.dumps(payload, separators=(",", ":")),
                self.vapid_headers(subscription.endpoint),
                ttl=TTL,
                content_encoding="aes128gcm",
                timeout=TIMEOUT,
            )
            if response.status_code > 202:
                status = response.status_code
                error = f"HTTP {status}"
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            error = f"HTTP {status}" if status else str(exc)[:200]
        except (requests.RequestException, UnsafeURL, OSError) as exc:
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
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


def push_many(
    items: list[tuple[int, dict]], subscriptions: list[PushSubscription] | None = None
) -> Outcome:
    """Send `payload` to every subscription of each user id in `items` (`subscriptions`: theirs,
    when the caller has read them already), over one session."""
    if not enabled() or not items:
        return Outcome()
    by_user: dict[int, list[dict]] = {}
    for user_id, payload in items:
        by_user.setdefault(user_id, []).append(payload)
    if subscriptions is None:
        subscriptions = list(
            PushSubscription.objects.filter(user_id__in=list(by_user)).order_by("pk")
        )
    pusher = Pusher()
    try:
        for subscription in subscriptions:
            for payload in by_user.get(subscription.user_id, ()):
                if pusher.send(subscription, payload) == "gone":
                    break
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
    pusher = Pusher()
    try:
        for retry in claimed:
            pusher.send(retry.subscription, retry.payload, attempts=retry.attempts)
    finally:
        pusher.close()
    return pusher.outcome

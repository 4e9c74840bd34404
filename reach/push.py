"""Web push: encrypt (aes128gcm, RFC 8291), sign (VAPID, RFC 8292) and POST to each browser's
push service, from the job runner only.

A subscription is dropped only when its push service says it is gone (404, 410). A 429, a
5xx, a timeout or a refused connection keeps it, and the message is tried again later
(PushRetry), a few times: a push that arrives hours late is worth less than none, and its TTL
lets the push service drop it too. Every request goes through core.net's public-only session:
an endpoint whose name now resolves into the company network is not reached."""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from core.net import UnsafeURL, check_public_url, public_session

from .models import PushRetry, PushSubscription

logger = logging.getLogger(__name__)

TTL = 12 * 3600
TIMEOUT = 5.0
MAX_ATTEMPTS = 4
GONE = (404, 410)


def enabled() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


@dataclass
class Outcome:
    sent: int = 0
    gone: int = 0
    retry: int = 0


class Pusher:
    """Sends many pushes over one HTTP session (keep-alive per push service)."""

    def __init__(self) -> None:
        self.session = public_session()
        self.vapid = Vapid.from_string(settings.VAPID_PRIVATE_KEY)
        self.outcome = Outcome()

    def close(self) -> None:
        self.session.close()

    def send(self, subscription: PushSubscription, payload: dict, *, attempts: int = 0) -> str:
        """ "sent", "gone" (the subscription is deleted) or "retry" (queued for later)."""
        error = ""
        status = None
        try:
            check_public_url(subscription.endpoint, resolve_host=False)
            webpush(
                subscription_info=subscription.info(),
                data=json.dumps(payload, separators=(",", ":")),
                vapid_private_key=self.vapid,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                content_encoding="aes128gcm",
                ttl=TTL,
                timeout=TIMEOUT,
                requests_session=self.session,
            )
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


def push_many(items: list[tuple[int, dict]]) -> Outcome:
    """Send `payload` to every subscription of each user id in `items`."""
    if not enabled() or not items:
        return Outcome()
    by_user: dict[int, list[dict]] = {}
    for user_id, payload in items:
        by_user.setdefault(user_id, []).append(payload)
    subscriptions = PushSubscription.objects.filter(user_id__in=list(by_user)).order_by("pk")
    pusher = Pusher()
    try:
        for subscription in subscriptions:
            for payload in by_user[subscription.user_id]:
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

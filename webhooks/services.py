"""The only code that writes webhook endpoints and deliveries, and sends them.

A delivery is made per (endpoint, event) after the event's transaction commits, and sent by the
job runner in order of creation per endpoint: the oldest pending delivery of an endpoint goes
first, and while it fails (with exponential backoff) the endpoint's later deliveries wait, so a
receiver sees events in order; other endpoints are not held up. After
`WEBHOOK_DISABLE_AFTER` consecutive failures the endpoint is disabled and the admins are
notified (a `webhook_disabled` notification to every active staff account); its pending
deliveries wait for an admin to enable it again. One sender per endpoint at a time: a worker
takes the endpoint's lease (a conditional update) before sending.
"""

import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from communities.models import Community
from communities.models import Visibility as CommunityVisibility
from core.jobs import job_enqueue_on_commit, job_run_at
from core.net import public_url_check
from notifications.services import notifications_create_many
from profiles.models import User
from profiles.permissions import is_admin

from . import payloads, signing, transport
from .models import (
    COMMUNITY_EVENT_TYPES,
    EVENT_TYPES,
    MAX_URL,
    DeliveryState,
    WebhookDelivery,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)

DISABLED_KIND = "webhook_disabled"
# Deliveries one job sends before it hands over to a fresh job (a job has JOBS_TIMEOUT).
SEND_BUDGET = 50


def _setting(name: str, default):
    return getattr(settings, name, default)


def allow_hosts() -> list[str]:
    return list(_setting("WEBHOOK_ALLOW_HOSTS", []))


# --- Endpoints -----------------------------------------------------------------------------


def clean_url(url) -> str:
    url = (url or "").strip() if isinstance(url, str) else ""
    if not url:
        raise ValidationError({"url": "Give the https:// URL that receives the deliveries."})
    if len(url) > MAX_URL:
        raise ValidationError({"url": f"At most {MAX_URL} characters."})
    try:
        public_url_check(url, allow_hosts=allow_hosts())
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from None
    return url


def clean_events(events, *, community: Community | None) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": f"Choose one or more of: {', '.join(EVENT_TYPES)}."})
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {
                "events": f"Unknown event type(s): {', '.join(map(str, unknown))}. "
                f"One or more of: {', '.join(EVENT_TYPES)}."
            }
        )
    if community is not None:
        outside = [e for e in events if e not in COMMUNITY_EVENT_TYPES]
        if outside:
            raise ValidationError(
                {
                    "events": "A subscription to a community hears its statuses only "
                    f"({', '.join(COMMUNITY_EVENT_TYPES)}); subscribe to {', '.join(outside)} "
                    "without a community."
                }
            )
    return [e for e in EVENT_TYPES if e in events]  # known order, no duplicates


def clean_community(community: Community | None) -> Community | None:
    if community is not None and community.visibility == CommunityVisibility.SECRET:
        # Nothing of a secret community leaves it: its very existence is for its members.
        raise ValidationError({"community": "A secret community's posts are never sent."})
    return community


def endpoint_create(
    *,
    actor: User,
    url: str,
    events: list[str],
    community: Community | None = None,
    description: str = "",
) -> WebhookEndpoint:
    """Subscribe `url` (admins only). The answer carries `secret`, which is never shown again."""
    if not is_admin(actor):
        raise PermissionDenied("Only admins subscribe webhooks.")
    community = clean_community(community)
    errors: dict = {}
    try:
        url = clean_url(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        events = clean_events(events, community=community)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return WebhookEndpoint.objects.create(
        url=url,
        events=events,
        community=community,
        description=(description or "").strip()[:200],
        secret=signing.secret_new(),
        created_by=actor,
    )


def endpoint_enable(*, endpoint: WebhookEndpoint) -> None:
    """Enable again (admin action): its pending deliveries go out from the oldest."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=True, disabled_at=None, disabled_reason="", consecutive_failures=0
    )
    WebhookDelivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).update(
        next_attempt_at=timezone.now()
    )
    job_enqueue_on_commit("webhooks.jobs.endpoint_deliver", endpoint.pk)


def deliveries_retry_now(*, deliveries: Iterable[WebhookDelivery]) -> int:
    """Admin's "retry now": the pending ones are due at once (an endpoint's order still holds:
    its oldest pending delivery goes first)."""
    ids = [d.pk for d in deliveries]
    pending = WebhookDelivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING)
    endpoint_ids = set(pending.values_list("endpoint_id", flat=True))
    count = pending.update(next_attempt_at=timezone.now())
    for endpoint_id in sorted(endpoint_ids):
        job_enqueue_on_commit("webhooks.jobs.endpoint_deliver", endpoint_id)
    return count


# --- Events --------------------------------------------------------------------------------


def event_on_commit(event_type: str, object_id: int) -> None:
    """From a content app's hook, inside its transaction: record the event once it commits
    (nothing if it rolls back). A failure is logged, never raised into the request."""

    def record() -> None:
        try:
            event_record(event_type=event_type, object_id=object_id)
        except Exception:
            logger.exception("webhooks: %s %s not recorded", event_type, object_id)

    transaction.on_commit(record)


def event_record(*, event_type: str, object_id: int, at: datetime | None = None) -> int:
    """One delivery per active endpoint that subscribed to `event_type` and may be told about
    the object now; each endpoint's sender is queued. Returns how many deliveries were made."""
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(active=True) if event_type in (e.events or [])
    ]
    if not endpoints:
        return 0
    obj = payloads.load(event_type, object_id)
    targets = [e for e in endpoints if payloads.may_be_told(event_type, obj, e)]
    if not targets:
        return 0
    now = at or timezone.now()
    body = json.dumps(
        payloads.message(event_type, obj, at=now), separators=(",", ":"), ensure_ascii=False
    )
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    endpoint=endpoint,
                    msg_id=signing.msg_id_new(),
                    event_type=event_type,
                    object_id=object_id,
                    body=body,
                    created_at=now,
                    next_attempt_at=now,
                )
                for endpoint in targets
            ]
        )
        for endpoint in targets:
            job_enqueue_on_commit("webhooks.jobs.endpoint_deliver", endpoint.pk)
    return len(targets)


# --- Sending -------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: base × 2^(n-1), at most WEBHOOK_RETRY_MAX seconds."""
    base = float(_setting("WEBHOOK_RETRY_BASE", 30))
    most = float(_setting("WEBHOOK_RETRY_MAX", 6 * 3600))
    return timedelta(seconds=min(most, base * 2 ** max(0, attempts - 1)))


def _lease() -> timedelta:
    return timedelta(seconds=float(_setting("WEBHOOK_TIMEOUT", 10)) + 30)


def _claim(endpoint_id: int) -> bool:
    now = timezone.now()
    return bool(
        WebhookEndpoint.objects.filter(pk=endpoint_id, active=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + _lease())
    )


def _release(endpoint_id: int) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(lease_until=None)


def _next_pending(endpoint_id: int) -> WebhookDelivery | None:
    return (
        WebhookDelivery.objects.filter(endpoint_id=endpoint_id, state=DeliveryState.PENDING)
        .order_by("id")
        .first()
    )


def _due(endpoint_id: int) -> bool:
    head = _next_pending(endpoint_id)
    return head is not None and head.next_attempt_at <= timezone.now()


def endpoint_deliver(*, endpoint_id: int) -> int:
    """Send the endpoint's due deliveries, oldest first, until one fails (it is retried later
    and holds the rest back) or none is left. Idempotent: a second worker finds the endpoint
    leased and leaves it to the first, which looks again after letting go. Returns how many
    were delivered."""
    delivered = 0
    while _claim(endpoint_id):
        try:
            sent, stopped = _send_due(endpoint_id, budget=SEND_BUDGET - delivered)
            delivered += sent
        finally:
            _release(endpoint_id)
        # Look again after letting go: a delivery made while this worker held the lease had
        # its own job find the endpoint taken. A failure waits for its retry instead.
        if stopped or delivered >= SEND_BUDGET or not _due(endpoint_id):
            break
    if delivered >= SEND_BUDGET and _due(endpoint_id):
        job_enqueue_on_commit("webhooks.jobs.endpoint_deliver", endpoint_id)
    return delivered


def _send_due(endpoint_id: int, *, budget: int) -> tuple[int, bool]:
    """(delivered, stopped): stopped when an attempt failed or the head is not due yet."""
    delivered = 0
    while delivered < budget:
        endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, active=True).first()
        if endpoint is None:
            return delivered, True
        delivery = _next_pending(endpoint_id)
        if delivery is None:
            return delivered, False
        now = timezone.now()
        if delivery.next_attempt_at > now:
            _schedule_retry(endpoint_id, delivery.next_attempt_at)
            return delivered, True
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(lease_until=now + _lease())
        obj = payloads.load(delivery.event_type, delivery.object_id)
        if not payloads.may_be_told(delivery.event_type, obj, endpoint):
            WebhookDelivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SKIPPED)
            continue
        if not _attempt(endpoint, delivery):
            return delivered, True
        delivered += 1
    return delivered, False


def _attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> bool:
    timestamp = int(timezone.now().timestamp())
    headers = signing.headers(
        secret=endpoint.secret, msg_id=delivery.msg_id, timestamp=timestamp, body=delivery.body
    )
    outcome = transport.post(
        endpoint.url,
        body=delivery.body.encode(),
        headers=headers,
        allow_hosts=allow_hosts(),
        timeout=float(_setting("WEBHOOK_TIMEOUT", 10)),
    )
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error[:500]
    if outcome.ok:
        delivery.state = DeliveryState.DELIVERED
        delivery.delivered_at = now
        with transaction.atomic():
            delivery.save()
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        return True
    delivery.next_attempt_at = now + backoff(delivery.attempts)
    failures = endpoint.consecutive_failures + 1
    with transaction.atomic():
        delivery.save()
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=failures)
        if failures >= int(_setting("WEBHOOK_DISABLE_AFTER", 10)):
            _disable(endpoint, failures=failures, error=outcome.error, now=now)
            return False
    logger.info(
        "webhooks: %s to endpoint %s failed (%s); again at %s",
        delivery.msg_id,
        endpoint.pk,
        outcome.error,
        delivery.next_attempt_at.isoformat(),
    )
    _schedule_retry(endpoint.pk, delivery.next_attempt_at)
    return False


def _schedule_retry(endpoint_id: int, when: datetime) -> None:
    job_run_at("webhooks.jobs.deliveries_due", when=when, key=f"webhook-{endpoint_id}")


def _disable(endpoint: WebhookEndpoint, *, failures: int, error: str, now: datetime) -> None:
    reason = f"{failures} failed deliveries in a row; the last: {error}"[:300]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        active=False, disabled_at=now, disabled_reason=reason
    )
    logger.error("webhooks: endpoint %s (%s) disabled: %s", endpoint.pk, endpoint.url, reason)
    admins = list(
        User.objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(is_superuser=True))
        .order_by("pk")
    )
    if not admins:
        return
    creator = next((u for u in admins if u.pk == endpoint.created_by_id), None)
    notifications_create_many(
        recipient_ids=[u.pk for u in admins],
        kind=DISABLED_KIND,
        # Whoever subscribed it (still an admin), else the first admin: the notification needs
        # a person; its text names the endpoint, not them.
        actor=creator or admins[0],
        target=endpoint,
        at=now,
    )


def endpoints_due() -> list[int]:
    """Active endpoints whose oldest pending delivery is due (the sweep's worklist)."""
    now = timezone.now()
    return sorted(
        set(
            WebhookDelivery.objects.filter(
                state=DeliveryState.PENDING, next_attempt_at__lte=now, endpoint__active=True
            ).values_list("endpoint_id", flat=True)
        )
    )

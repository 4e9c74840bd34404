"""Reach's writes: what a new notification sets off (a queued email, pushes), collecting a
person's queued notifications into one email, the digests that are due, announcements told to
everyone, and push subscriptions."""

import base64
import binascii
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.jobs import job_enqueue_on_commit, job_run_at
from core.net import UnsafeURL, check_public_url
from feeds.models import Status
from notifications.models import Notification
from notifications.services import notifications_create_many
from profiles.models import User

from . import content, kinds, mail, preferences, push
from .models import (
    DigestFrequency,
    EmailDelivery,
    EmailKind,
    MailQueueItem,
    NotificationSettings,
    PushSubscription,
)

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 500
ANNOUNCE_BATCH = 1000
# Up to this many recipients in one dispatch get a flush of their own (`reach-mail-<id>`);
# a larger fan-out shares one.
PER_PERSON_FLUSH = 20
MAX_SUBSCRIPTIONS = 20


# --- A notification was created ---------------------------------------------------------------


def on_notifications_created(*, notification_ids: list[int]) -> None:
    """Receiver of notifications.hooks.notifications_created (inside the sender's transaction):
    the work is queued for the job runner once it commits, in batches."""
    for start in range(0, len(notification_ids), DISPATCH_BATCH):
        job_enqueue_on_commit(
            "reach.jobs.notifications_dispatch", notification_ids[start : start + DISPATCH_BATCH]
        )


def notifications_dispatch(*, notification_ids: list[int], now: datetime | None = None) -> dict:
    """For each notification, as its recipient chose now: queue it for their next immediate
    email, push it to their browsers. A target they may no longer read, a muted community or
    thread, an inactive account: nothing. Idempotent enough: a queued email holds a
    notification once; a push sent twice replaces itself on the device (same tag)."""
    now = now or timezone.now()
    notes = [
        n
        for n in Notification.objects.filter(pk__in=notification_ids)
        .select_related("actor__profile", "recipient")
        .order_by("id")
        if n.recipient.is_active and kinds.setting_kind(n.kind) is not None
    ]
    if not notes:
        return {"queued": 0, "pushed": 0}
    user_ids = sorted({n.recipient_id for n in notes})
    rows = content.settings_of(user_ids)
    mutes = content.mutes_of(user_ids)
    to_mail: list[Notification] = []
    to_push: list[tuple[int, dict]] = []
    subscriptions = (
        list(PushSubscription.objects.filter(user_id__in=user_ids).order_by("pk"))
        if push.enabled()
        else []
    )
    subscribed = {s.user_id for s in subscriptions}
    for n in content.readable(notes):
        if content.is_muted(n, mutes[n.recipient_id]):
            continue
        kind = kinds.setting_kind(n.kind)
        row = rows[n.recipient_id]
        if row.effective_email[kind] == "immediate" and n.recipient.email:
            to_mail.append(n)
        if n.recipient_id in subscribed and row.effective_push[kind]:
            to_push.append((n.recipient_id, content.push_payload(content.line(n))))
    if to_mail:
        MailQueueItem.objects.bulk_create(
            [
                MailQueueItem(user_id=n.recipient_id, notification=n, created_at=now)
                for n in to_mail
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        _schedule_flush(sorted({n.recipient_id for n in to_mail}), now)
    outcome = push.push_many(to_push, subscriptions)
    return {"queued": len(to_mail), "pushed": outcome.sent}


def _schedule_flush(user_ids: list[int], now: datetime) -> None:
    delay = timedelta(seconds=settings.REACH_MAIL_DELAY)
    if len(user_ids) <= PER_PERSON_FLUSH:
        for user_id in user_ids:
            oldest = (
                MailQueueItem.objects.filter(user_id=user_id)
                .order_by("created_at")
                .values_list("created_at", flat=True)
                .first()
            ) or now
            # The same time for every notification of a burst: replacing the schedule with the
            # same key does not push the email further away while notifications keep coming.
            job_run_at("reach.jobs.mail_flush", when=oldest + delay, key=f"reach-mail-{user_id}")
    else:
        job_run_at("reach.jobs.mail_flush", when=now + delay, key=f"reach-mail-many-{user_ids[0]}")


def mail_collect(*, user_ids: list[int], now: datetime | None = None) -> list[EmailDelivery]:
    """Turn each person's queued notifications into one email in the outbox, for all of
    `user_ids` at once (a few queries whatever their number), atomically: a notification
    queued meanwhile waits for the next email."""
    now = now or timezone.now()
    with transaction.atomic():
        items = list(
            MailQueueItem.objects.select_for_update()
            .filter(user_id__in=user_ids)
            .order_by("user_id", "created_at", "id")
            .values_list("pk", "user_id", "notification_id")
        )
        if not items:
            return []
        by_user: dict[int, list[int]] = {}
        for _, user_id, notification_id in items:
            by_user.setdefault(user_id, []).append(notification_id)
        deliveries = EmailDelivery.objects.bulk_create(
            [
                EmailDelivery(
                    recipient_id=user_id,
                    kind=EmailKind.IMMEDIATE,
                    notification_ids=notification_ids,
                    next_attempt_at=now,
                    created_at=now,
                )
                for user_id, notification_ids in by_user.items()
            ],
            batch_size=1000,
        )
        MailQueueItem.objects.filter(pk__in=[pk for pk, _, _ in items]).delete()
    return deliveries


def mail_flush(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Collect every person whose oldest queued notification has waited REACH_MAIL_DELAY, then
    send what is due in the outbox (new emails and retries), batch after batch over one SMTP
    connection. Returns the outbox's counts."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.REACH_MAIL_DELAY)
    user_ids = list(
        MailQueueItem.objects.filter(created_at__lte=cutoff)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()[:limit]
    )
    if user_ids:
        mail_collect(user_ids=user_ids, now=now)
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    sender = mail.Sender()
    try:
        while True:
            batch = mail.deliveries_send_due(now=now, sender=sender)
            for key, value in batch.items():
                counts[key] += value
            if sum(batch.values()) < mail.BATCH:
                break
    finally:
        sender.close()
    if len(user_ids) == limit:
        job_enqueue_on_commit("reach.jobs.mail_flush")
    return counts


# --- Digests ---------------------------------------------------------------------------------


def digests_queue_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Put a digest in the outbox for everyone whose local digest hour has come. Claimed per
    person with a conditional update of `next_digest_at`, so a digest is queued once."""
    now = now or timezone.now()
    preferences.settings_ensure_all(now=now)
    due = list(
        NotificationSettings.objects.filter(next_digest_at__lte=now)
        .exclude(digest=DigestFrequency.OFF)
        .select_related("user")
        .order_by("next_digest_at")[:limit]
    )
    queued = 0
    for row in due:
        following = preferences.next_digest_at(
            now=now, zone=preferences.zone_of(row), hour=row.digest_hour, frequency=row.digest
        )
        period = timedelta(days=7 if row.digest == DigestFrequency.WEEKLY else 1)
        start = max(row.last_digest_at or now - period, now - period)
        with transaction.atomic():
            won = NotificationSettings.objects.filter(
                pk=row.pk, next_digest_at=row.next_digest_at
            ).update(next_digest_at=following, last_digest_at=now)
            if not won or not row.user.is_active or not row.user.email:
                continue
            EmailDelivery.objects.create(
                recipient_id=row.user_id,
                kind=EmailKind.DIGEST,
                period_start=start,
                period_end=now,
                next_attempt_at=now,
                created_at=now,
            )
            queued += 1
    return queued


# --- Announcements ---------------------------------------------------------------------------


def on_status_announced(*, status: Status, actor: User) -> None:
    """Receiver of feeds.hooks.status_announced: tell everyone, from the job runner."""
    job_enqueue_on_commit("reach.jobs.announcement_notify", status.pk, actor.pk)


def announcement_notify(*, status_id: int, actor_id: int) -> int:
    """An `announcement` notification for every active employee but its author, in batches of
    ANNOUNCE_BATCH (each its own transaction, so its email and push work is queued as soon as
    it commits). Idempotent: people already told are skipped."""
    status = Status.objects.filter(pk=status_id, is_announcement=True, removal="").first()
    actor = User.objects.filter(pk=actor_id).first()
    if status is None or actor is None:
        return 0
    told = Notification.objects.about(status).filter(kind="announcement").values("recipient_id")
    created = 0
    after = 0
    while True:
        batch = list(
            User.objects.filter(is_active=True, pk__gt=after)
            .exclude(pk=actor.pk)
            .exclude(pk__in=told)
            .order_by("pk")
            .values_list("pk", flat=True)[:ANNOUNCE_BATCH]
        )
        if not batch:
            return created
        with transaction.atomic():
            created += len(
                notifications_create_many(
                    recipient_ids=batch, kind="announcement", actor=actor, target=status
                )
            )
        after = batch[-1]


# --- Push subscriptions ----------------------------------------------------------------------


def _b64url(value, field: str, lengths: tuple[int, ...], errors: dict) -> str | None:
    if not isinstance(value, str) or not value or len(value) > 200:
        errors[field] = ["Give the browser's base64url value."]
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        errors[field] = ["Not base64url."]
        return None
    if len(raw) not in lengths:
        errors[field] = [f"Decodes to {len(raw)} bytes; expected {' or '.join(map(str, lengths))}."]
        return None
    if field == "keys.p256dh" and raw[0] != 0x04:
        errors[field] = ["Not an uncompressed P-256 public key."]
        return None
    return value.rstrip("=")


def push_subscribe(*, user: User, data, user_agent: str = "") -> PushSubscription:
    if not push.enabled():
        raise ValidationError({"detail": ["Push is not configured on this server."]})
    if not isinstance(data, dict):
        raise ValidationError({"detail": ["Give {endpoint, keys: {p256dh, auth}}."]})
    # What a browser's PushSubscription.toJSON() holds; anything else is refused by name.
    errors: dict[str, list[str]] = {
        name: ["Unknown field. Fields: endpoint, keys, expirationTime."]
        for name in sorted(set(data) - {"endpoint", "keys", "expirationTime"})
    }
    endpoint = data.get("endpoint")
    try:
        check_public_url(endpoint)
    except UnsafeURL as exc:
        errors["endpoint"] = [str(exc)]
    keys = data.get("keys")
    if not isinstance(keys, dict):
        errors["keys"] = ["Give {p256dh, auth}."]
        keys = {}
    p256dh = _b64url(keys.get("p256dh"), "keys.p256dh", (65,), errors)
    auth = _b64url(keys.get("auth"), "keys.auth", (16,), errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if PushSubscription.objects.filter(user=user).exclude(endpoint=endpoint).count() >= (
            MAX_SUBSCRIPTIONS
        ):
            oldest = PushSubscription.objects.filter(user=user).order_by("created_at").first()
            oldest.delete()
        # An endpoint belongs to one browser: a new login on it takes the subscription over.
        subscription, _ = PushSubscription.objects.update_or_create(
            endpoint=endpoint,
            defaults={
                "user": user,
                "p256dh": p256dh,
                "auth": auth,
                "user_agent": user_agent[:300],
            },
        )
    return subscription


def push_unsubscribe(*, user: User, endpoint) -> int:
    if not isinstance(endpoint, str):
        raise ValidationError({"endpoint": ["Give the subscription's endpoint."]})
    return PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()[0]

"""The email outbox: build each email when it is sent, send through Django's mail backend
(SMTP from EMAIL_*), retry with backoff, and mark it failed after REACH_MAIL_MAX_ATTEMPTS.

Only the job runner calls this (never a request). A delivery is claimed with a conditional
update that moves its next attempt past a lease, so two workers never send it together, and
a worker that dies mid-send leaves it to be tried again when the lease ends."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator

from profiles.models import User

from . import content, kinds
from .models import DeliveryState, EmailDelivery, EmailKind
from .tokens import unsubscribe_url

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
BATCH = 200


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16, 32, then 60 minutes between attempts."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _headers(url: str) -> dict[str, str]:
    targets = [f"<{url}>"]
    if settings.REACH_UNSUBSCRIBE_MAILTO:
        targets.append(f"<mailto:{settings.REACH_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }


def _message(subject: str, template: str, context: dict, to: str, unsubscribe: str):
    context = {
        **context,
        "site_url": settings.SITE_URL,
        "settings_url": f"{settings.SITE_URL}/notifications/settings/",
        "unsubscribe_url": unsubscribe,
        "without_content": settings.NOTIFY_WITHOUT_CONTENT,
    }
    text = render_to_string(f"reach/email/{template}.txt", context)
    html = render_to_string(f"reach/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], headers=_headers(unsubscribe)
    )
    message.attach_alternative(html, "text/html")
    return message


def build(delivery: EmailDelivery, user: User) -> EmailMultiAlternatives | None:
    """The email as it should be now, or None when nothing in it may still be sent."""
    if not user.is_active or not user.email:
        return None
    if delivery.kind == EmailKind.IMMEDIATE:
        return _build_immediate(delivery, user)
    return _build_digest(delivery, user)


def _build_immediate(delivery: EmailDelivery, user: User) -> EmailMultiAlternatives | None:
    row = content.settings_of([user.pk])[user.pk]
    mutes = content.mutes_of([user.pk])[user.pk]
    email = row.effective_email
    notes = [
        n
        for n in content.readable(content.notifications_of(user.pk, delivery.notification_ids))
        if email.get(kinds.setting_kind(n.kind) or "") == "immediate"
        and not content.is_muted(n, mutes)
    ]
    if not notes:
        return None
    lines = [content.line(n) for n in notes]
    if len(lines) == 1:
        subject = lines[0].text
    else:
        subject = f"{len(lines)} new notifications: {lines[0].text} and more"
    scope = sorted({item.kind for item in lines if item.kind in kinds.KINDS})
    unsubscribe = unsubscribe_url(user_id=user.pk, scope=scope or "all")
    context = {"user": user, "lines": lines, "kinds_label": [kinds.LABELS[k] for k in scope]}
    return _message(subject[:250], "notifications", context, user.email, unsubscribe)


def _build_digest(delivery: EmailDelivery, user: User) -> EmailMultiAlternatives | None:
    digest = content.digest_for(user=user, start=delivery.period_start, end=delivery.period_end)
    if not digest:
        return None
    posts = [
        {
            "author": p.author.profile.display_name or p.author.username,
            "text": Truncator(" ".join(p.body.split())).chars(200),
            "url": content.absolute(f"/statuses/{p.pk}/"),
            "is_announcement": p.is_announcement,
            "community": p.community.name if p.community_id else "",
            "comments": p.comment_count,
        }
        for p in digest.posts
    ]
    questions = [
        {
            "text": Truncator(" ".join(q.body.split())).chars(160),
            "votes": q.votes_count,
            "url": content.absolute(f"/ask/{q.pk}/"),
        }
        for q in digest.questions
    ]
    ideas = [
        {"title": i.title, "votes": i.votes_count, "url": content.absolute(f"/ideas/{i.pk}/")}
        for i in digest.ideas
    ]
    count = len(posts) + len(questions) + len(ideas) + len(digest.notifications)
    subject = f"Your digest: {count} thing{'s' if count != 1 else ''} to catch up on"
    context = {
        "user": user,
        "posts": posts,
        "questions": questions,
        "ideas": ideas,
        "lines": digest.notifications,
        "period_start": delivery.period_start,
        "period_end": delivery.period_end,
    }
    unsubscribe = unsubscribe_url(user_id=user.pk, scope="digest")
    return _message(subject, "digest", context, user.email, unsubscribe)


def _claim(ids: list[int], now: datetime) -> list[EmailDelivery]:
    claimed = []
    for delivery in EmailDelivery.objects.filter(pk__in=ids).select_related("recipient"):
        won = EmailDelivery.objects.filter(
            pk=delivery.pk,
            state=DeliveryState.PENDING,
            next_attempt_at=delivery.next_attempt_at,
        ).update(next_attempt_at=now + LEASE)
        if won:
            claimed.append(delivery)
    return claimed


def _failed(delivery: EmailDelivery, error: str, now: datetime) -> None:
    attempts = delivery.attempts + 1
    state = (
        DeliveryState.FAILED
        if attempts >= settings.REACH_MAIL_MAX_ATTEMPTS
        else DeliveryState.PENDING
    )
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        state=state,
        last_error=error[:2000],
        next_attempt_at=now + backoff(attempts),
    )
    logger.warning(
        "email %s to user %s: attempt %s failed: %s",
        delivery.pk,
        delivery.recipient_id,
        attempts,
        error,
    )


def deliveries_send_due(*, now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Send the emails that are due (new ones and retries), over one SMTP connection."""
    now = now or timezone.now()
    due = list(
        EmailDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    if not due:
        return counts
    connection = None
    for delivery in _claim(due, now):
        try:
            message = build(delivery, delivery.recipient)
        except Exception as exc:  # a rendering bug must not stop the other emails
            logger.exception("email %s could not be built", delivery.pk)
            _failed(delivery, f"build: {exc!r}", now)
            counts["failed"] += 1
            continue
        if message is None:
            EmailDelivery.objects.filter(pk=delivery.pk).update(
                state=DeliveryState.SKIPPED, sent_at=None
            )
            counts["skipped"] += 1
            continue
        try:
            if connection is None:
                connection = get_connection(fail_silently=False)
                connection.open()
            message.connection = connection
            message.send()
        except Exception as exc:  # SMTP refused, timed out, connection lost: retried later
            _failed(delivery, f"{type(exc).__name__}: {exc}", now)
            counts["failed"] += 1
            if connection is not None:
                try:
                    connection.close()
                except Exception:  # noqa: S110 -- a dead connection may not close cleanly
                    pass
                connection = None
            continue
        EmailDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.SENT,
            attempts=delivery.attempts + 1,
            sent_at=timezone.now(),
            to_address=delivery.recipient.email,
            subject=str(message.subject)[:300],
            last_error="",
        )
        counts["sent"] += 1
    if connection is not None:
        connection.close()
    return counts


def due_count(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return EmailDelivery.objects.filter(
        Q(state=DeliveryState.PENDING) & Q(next_attempt_at__lte=now)
    ).count()

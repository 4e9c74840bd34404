"""The email outbox: build each email when it is sent, send through Django's mail backend
(SMTP from EMAIL_*), retry with backoff, and mark it failed after REACH_MAIL_MAX_ATTEMPTS.

Only the job runner calls this (never a request). Due deliveries are claimed a batch at a time
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, SQLite serialises writers) by moving their next
attempt past a lease, so two workers never send one together, and a worker that dies mid-send
leaves its batch to be tried again when the lease ends.

A batch costs a bounded number of queries whatever its size: its recipients, their settings
and mutes, their notifications and what those are about (visibility checked again now, for
every recipient at once) are read once for the batch; an email whose content is the same for
many people (an announcement) is rendered once, and only its unsubscribe link differs. The
emails go out over one SMTP connection (`Sender`), which is opened again when it drops."""

import logging
import secrets
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator

from notifications.models import Notification
from profiles.models import User

from . import content, kinds
from .models import DeliveryState, EmailDelivery, EmailKind, NotificationSettings
from .tokens import unsubscribe_url

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
BATCH = 200
# Sent deliveries are marked in the outbox this many at a time (one query each time): a worker
# killed mid-batch sends again at most this many emails after the lease.
MARK_EVERY = 50


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


class Renderer:
    """Renders the emails of a batch. The only thing in a template that differs from one person
    to the next is their unsubscribe link: the templates are rendered with a random placeholder
    in its place, once per distinct content (`key`), and the link is put in per person."""

    def __init__(self) -> None:
        self.placeholder = f"unsubscribe-{secrets.token_hex(16)}"
        self.cache: dict[tuple, tuple[str, str]] = {}
        self.renders = 0

    def _render(self, template: str, context: dict) -> tuple[str, str]:
        self.renders += 1
        context = {
            **context,
            "site_url": settings.SITE_URL,
            "settings_url": f"{settings.SITE_URL}/notifications/settings/",
            "unsubscribe_url": self.placeholder,
            "without_content": settings.NOTIFY_WITHOUT_CONTENT,
        }
        text = render_to_string(f"reach/email/{template}.txt", context)
        html = render_to_string(f"reach/email/{template}.html", context)
        return text, html

    def message(
        self,
        *,
        subject: str,
        template: str,
        context: dict,
        to: str,
        unsubscribe: str,
        key: tuple | None = None,
    ) -> EmailMultiAlternatives:
        """`key`: everything `context` holds, hashable; None renders it for this email alone."""
        if key is None:
            text, html = self._render(template, context)
        else:
            key = (template, key)
            if key not in self.cache:
                self.cache[key] = self._render(template, context)
            text, html = self.cache[key]
        # The text template is not escaped, the HTML one is (as the link would be in place).
        text = text.replace(self.placeholder, unsubscribe)
        html = html.replace(self.placeholder, escape(unsubscribe))
        message = EmailMultiAlternatives(
            subject=subject, body=text, to=[to], headers=_headers(unsubscribe)
        )
        message.attach_alternative(html, "text/html")
        return message


@dataclass
class Prepared:
    """What a batch of deliveries needs, read once for all of them."""

    settings: dict[int, NotificationSettings] = field(default_factory=dict)
    mutes: dict[int, content.Mutes] = field(default_factory=dict)
    # delivery id -> its notifications the recipient may still read, oldest first
    notifications: dict[int, list[Notification]] = field(default_factory=dict)
    renderer: Renderer = field(default_factory=Renderer)


def prepare(deliveries: list[EmailDelivery]) -> Prepared:
    """Read what the batch's emails are made of: a number of queries that does not depend on
    the number of deliveries (their recipients are already loaded)."""
    prepared = Prepared()
    user_ids = sorted(
        {d.recipient_id for d in deliveries if d.recipient.is_active and d.recipient.email}
    )
    if not user_ids:
        return prepared
    prepared.settings = content.settings_of(user_ids)
    prepared.mutes = content.mutes_of(user_ids)
    immediate = [
        d for d in deliveries if d.kind == EmailKind.IMMEDIATE and d.recipient_id in user_ids
    ]
    wanted = {(d.recipient_id, nid): d.pk for d in immediate for nid in d.notification_ids}
    notes = [
        n
        for n in Notification.objects.filter(pk__in={nid for _, nid in wanted})
        .select_related("actor__profile")
        .order_by("created_at", "id")
        if (n.recipient_id, n.pk) in wanted
    ]
    by_delivery: dict[int, list[Notification]] = defaultdict(list)
    for n in content.readable(notes):
        by_delivery[wanted[(n.recipient_id, n.pk)]].append(n)
    prepared.notifications = dict(by_delivery)
    return prepared


def build(
    delivery: EmailDelivery, user: User, prepared: Prepared | None = None
) -> EmailMultiAlternatives | None:
    """The email as it should be now, or None when nothing in it may still be sent."""
    if not user.is_active or not user.email:
        return None
    if prepared is None:
        prepared = prepare([delivery])
    if delivery.kind == EmailKind.IMMEDIATE:
        return _build_immediate(delivery, user, prepared)
    return _build_digest(delivery, user, prepared)


def _build_immediate(
    delivery: EmailDelivery, user: User, prepared: Prepared
) -> EmailMultiAlternatives | None:
    email = prepared.settings[user.pk].effective_email
    mutes = prepared.mutes[user.pk]
    notes = [
        n
        for n in prepared.notifications.get(delivery.pk, [])
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
    # What the template may use of each line: the same for everyone told the same thing.
    shown = tuple((item.kind, item.text, item.excerpt, item.url) for item in lines)
    kinds_label = tuple(kinds.LABELS[k] for k in scope)
    context = {
        "lines": [dict(zip(("kind", "text", "excerpt", "url"), row, strict=True)) for row in shown],
        "kinds_label": kinds_label,
    }
    return prepared.renderer.message(
        subject=subject[:250],
        template="notifications",
        context=context,
        to=user.email,
        unsubscribe=unsubscribe,
        key=(shown, kinds_label),
    )


def _build_digest(
    delivery: EmailDelivery, user: User, prepared: Prepared
) -> EmailMultiAlternatives | None:
    digest = content.digest_for(
        user=user,
        start=delivery.period_start,
        end=delivery.period_end,
        row=prepared.settings.get(user.pk),
        mutes=prepared.mutes.get(user.pk),
    )
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
    return prepared.renderer.message(
        subject=subject,
        template="digest",
        context=context,
        to=user.email,
        unsubscribe=unsubscribe,
    )


# --- Sending ---------------------------------------------------------------------------------


class Unreachable(Exception):
    """The mail server is not taking mail: no connection could be opened, or a new one failed
    (dropped, timed out, 421) before a message went through. Nothing more is tried this time."""


class Sender:
    """Sends messages over one connection of Django's mail backend (SMTP from EMAIL_*), kept
    open from one message, and one batch, to the next.

    A message the server refuses (or that cannot be made) fails alone. When a connection that
    has carried messages drops (a server's idle timeout or restart, a 421), a new one is opened
    and the message tried once more on it; when a new connection cannot be opened or fails in
    the same way, `Unreachable`: the server is not taking mail now."""

    def __init__(self) -> None:
        self.connection = None
        self.opened = 0  # connections opened, for the tests and the bench
        self._used = 0  # messages sent on the current connection

    def _open(self) -> None:
        try:
            connection = get_connection(fail_silently=False)
            connection.open()
        except Exception as exc:
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc
        self.connection = connection
        self.opened += 1
        self._used = 0

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: S110 -- a dead connection may not close cleanly
                pass
            self.connection = None

    def _lost(self, exc: Exception) -> bool:
        """Whether `exc` is a failure of the connection rather than of this message: dropped,
        timed out, reset, or the server's 421 (closing). Not an error in making the message
        (nothing was sent), nor a refusal of its sender, recipients or data after which smtplib
        reset the transaction and the connection is still usable."""
        if not isinstance(exc, OSError):  # smtplib's, sockets', timeouts' and TLS errors are
            return False
        smtp = getattr(self.connection, "connection", None)
        if smtp is not None and getattr(smtp, "sock", True) is None:  # smtplib closed it
            return True
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            return False
        if isinstance(exc, smtplib.SMTPResponseException):
            return exc.smtp_code == 421
        return True

    def _send_one(self, message: EmailMultiAlternatives) -> None:
        if self.connection.send_messages([message]) != 1:
            raise RuntimeError("The mail backend did not send the message.")
        self._used += 1

    def send(self, message: EmailMultiAlternatives) -> None:
        """Send `message` or raise: `Unreachable`, or the server's refusal of this message."""
        if self.connection is None:
            self._open()
        try:
            self._send_one(message)
            return
        except Exception as exc:
            if not self._lost(exc):
                raise
            fresh = self._used == 0
            self.close()
            if fresh:
                raise Unreachable(f"{type(exc).__name__}: {exc}") from exc
        # The connection had carried messages and dropped: once more on a new one.
        self._open()
        try:
            self._send_one(message)
        except Exception as exc:
            if not self._lost(exc):
                raise
            self.close()
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc


# --- The outbox ------------------------------------------------------------------------------


def _claim(now: datetime, limit: int) -> list[EmailDelivery]:
    """Take up to `limit` due deliveries for this worker: their next attempt moves past the
    lease. Rows another worker is claiming are skipped on PostgreSQL (SKIP LOCKED); SQLite
    lets one writer at a time through."""
    with transaction.atomic():
        ids = list(
            EmailDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        EmailDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE)
    return list(
        EmailDelivery.objects.filter(pk__in=ids)
        .select_related("recipient")
        .order_by("next_attempt_at", "id")
    )


def _failed(deliveries: list[EmailDelivery], error: str, now: datetime) -> None:
    """One more attempt failed for each of `deliveries`: back off, or fail for good."""
    by_attempts: dict[int, list[int]] = defaultdict(list)
    for delivery in deliveries:
        by_attempts[delivery.attempts + 1].append(delivery.pk)
    for attempts, ids in by_attempts.items():
        state = (
            DeliveryState.FAILED
            if attempts >= settings.REACH_MAIL_MAX_ATTEMPTS
            else DeliveryState.PENDING
        )
        EmailDelivery.objects.filter(pk__in=ids).update(
            attempts=attempts,
            state=state,
            last_error=error[:2000],
            next_attempt_at=now + backoff(attempts),
        )
    for delivery in deliveries:
        logger.warning(
            "email %s to user %s: attempt %s failed: %s",
            delivery.pk,
            delivery.recipient_id,
            delivery.attempts + 1,
            error,
        )


def _mark_sent(sent: list[tuple[EmailDelivery, str]]) -> None:
    """Mark `sent` (delivery, subject) as sent: one UPDATE per distinct subject (one for an
    announcement), the address each went to read from its recipient in the same statement."""
    if not sent:
        return
    at = timezone.now()
    by_subject: dict[str, list[int]] = defaultdict(list)
    for delivery, subject in sent:
        by_subject[subject[:300]].append(delivery.pk)
    for subject, ids in by_subject.items():
        EmailDelivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.SENT,
            attempts=F("attempts") + 1,
            sent_at=at,
            to_address=Subquery(User.objects.filter(pk=OuterRef("recipient_id")).values("email")),
            subject=subject,
            last_error="",
        )
    sent.clear()


def deliveries_send_due(
    *, now: datetime | None = None, limit: int = BATCH, sender: Sender | None = None
) -> dict[str, int]:
    """Send the emails that are due (new ones and retries), a batch of `limit`, over `sender`'s
    connection (one of its own when not given). A mail server that cannot be reached fails
    this attempt of every email left in the batch (they back off and are tried again): it
    delays mail and loses none."""
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    claimed = _claim(now, limit)
    if not claimed:
        return counts
    own = sender is None
    sender = sender or Sender()
    try:
        prepared = prepare(claimed)
        sent: list[tuple[EmailDelivery, str]] = []
        skipped: list[int] = []
        for index, delivery in enumerate(claimed):
            try:
                message = build(delivery, delivery.recipient, prepared)
            except Exception as exc:  # a rendering bug must not stop the other emails
                logger.exception("email %s could not be built", delivery.pk)
                _failed([delivery], f"build: {exc!r}", now)
                counts["failed"] += 1
                continue
            if message is None:
                skipped.append(delivery.pk)
                continue
            try:
                sender.send(message)
            except Unreachable as exc:
                # Nothing more goes out now: this email and the rest of the batch wait.
                _mark_sent(sent)
                rest = claimed[index:]
                _failed(rest, f"mail server unreachable: {exc}", now)
                counts["failed"] += len(rest)
                break
            except Exception as exc:  # this message was refused: retried later
                _failed([delivery], f"{type(exc).__name__}: {exc}", now)
                counts["failed"] += 1
                continue
            sent.append((delivery, str(message.subject)))
            counts["sent"] += 1
            if len(sent) >= MARK_EVERY:
                _mark_sent(sent)
        _mark_sent(sent)
        if skipped:
            EmailDelivery.objects.filter(pk__in=skipped).update(
                state=DeliveryState.SKIPPED, sent_at=None
            )
            counts["skipped"] += len(skipped)
    finally:
        if own:
            sender.close()
    return counts


def due_count(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return EmailDelivery.objects.filter(
        Q(state=DeliveryState.PENDING) & Q(next_attempt_at__lte=now)
    ).count()

"""The only code that writes notifications."""

from collections.abc import Iterable
from datetime import datetime

from django.db import models
from django.utils import timezone

from profiles.models import User

from . import events, hooks, registry
from .models import Notification


def notification_create(
    *, recipient: User, kind: str, actor: User, target: models.Model | None = None
) -> Notification | None:
    """Notify `recipient` that `actor` did `kind` about `target` (nothing for a follow): never
    oneself, never an inactive account. For a grouped kind (reactions), the recipient's unread
    notification about the same target collects the new actor instead ("Bob and 3 others").
    Sends `notification.created` after commit. Call it inside the caller's transaction."""
    if recipient.pk == actor.pk or not recipient.is_active:
        return None
    now = timezone.now()
    if target is not None and registry.is_grouped(kind):
        existing = (
            Notification.objects.select_for_update()
            .about(target)
            .filter(recipient=recipient, kind=kind, read_at__isnull=True)
            .first()
        )
        if existing is not None:
            if actor.pk not in existing.actor_ids:
                existing.actor_ids = [*existing.actor_ids, actor.pk]
            existing.actor = actor
            existing.updated_at = now
            existing.save(update_fields=["actor_ids", "actor", "updated_at"])
            existing.target = target
            events.notification_created(existing)
            hooks.notifications_created.send(notification_ids=[existing.pk])
            return existing
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        actor=actor,
        actor_ids=[actor.pk],
        target=target,
        created_at=now,
        updated_at=now,
    )
    events.notification_created(notification)
    hooks.notifications_created.send(notification_ids=[notification.pk])
    return notification


def notifications_create_many(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    actor: User,
    target: models.Model | None = None,
    at: datetime | None = None,
    live: bool = True,
) -> list[Notification]:
    """One notification per recipient id, bulk-created (the caller has already left out the
    actor and inactive accounts). `live`: send each its `notification.created` (one Redis round
    trip after commit); off when another event tells everyone (a blog post's announcement)."""
    now = at or timezone.now()
    rows = [
        Notification(
            recipient_id=recipient_id,
            kind=kind,
            actor=actor,
            actor_ids=[actor.pk],
            target=target,
            created_at=now,
            updated_at=now,
        )
        for recipient_id in recipient_ids
    ]
    created = Notification.objects.bulk_create(rows, batch_size=500)
    if live:
        events.notifications_created(created)
    if created:
        hooks.notifications_created.send(notification_ids=[n.pk for n in created])
    return created


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def follow_notify(*, follower: User, followee: User) -> None:
    """A receiver of `profiles.hooks.follow_created`: tell the person followed."""
    notification_create(recipient=followee, kind="follow", actor=follower)

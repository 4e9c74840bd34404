"""Reads of notifications."""

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from profiles.models import User

from . import registry
from .models import Notification


def notifications_for(*, user: User) -> QuerySet[Notification]:
    """A recipient's notifications, newest first. Their targets are not joined (they are of any
    model): attach them to a page with `targets_attach`."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor__profile")
        .order_by("-updated_at", "-id")
    )


def unread_notification_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def targets_attach(notifications: Iterable[Notification]) -> list[Notification]:
    """Fetch the targets of a page of notifications: one query per target model present on the
    page (with what its kinds registered as `related`), whatever the page's length. A target
    deleted since is attached as None."""
    items = list(notifications)
    wanted: dict[int, set[int]] = defaultdict(set)
    for item in items:
        if item.target_type_id is not None and item.target_id is not None:
            wanted[item.target_type_id].add(item.target_id)
    found: dict[tuple[int, int], object] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:  # the app of this model is gone
            continue
        rows = model._base_manager.select_related(*registry.related_for(model)).in_bulk(ids)
        found.update({(type_id, pk): row for pk, row in rows.items()})
    hidden = _unreadable(items, found)
    field = Notification._meta.get_field("target")
    for item in items:
        if item.target_type_id is not None:
            key = (item.target_type_id, item.target_id)
            target = None if (*key, item.recipient_id) in hidden else found.get(key)
            field.set_cached_value(item, target)
    return items


def _unreadable(
    items: list[Notification], found: dict[tuple[int, int], object]
) -> set[tuple[int, int, int]]:
    """(target type, target id, recipient) of the targets a recipient may no longer read (see
    registry.register_readable): per target model on the page, one call for all recipients when
    the model registered `many` (a batch of emails to thousands of people), otherwise one per
    recipient (a page has one recipient)."""
    hidden: set[tuple[int, int, int]] = set()
    asked: dict[int, dict[int, dict[int, object]]] = defaultdict(lambda: defaultdict(dict))
    for item in items:
        target = found.get((item.target_type_id, item.target_id))
        if target is not None:
            asked[item.target_type_id][item.recipient_id][target.pk] = target
    for type_id, by_recipient in asked.items():
        model = type(next(iter(next(iter(by_recipient.values())).values())))
        many = registry.readable_many_for(model)
        if many is not None and len(by_recipient) > 1:
            allowed_pairs = many({r: list(t.values()) for r, t in by_recipient.items()})
            hidden.update(
                (type_id, pk, recipient_id)
                for recipient_id, targets in by_recipient.items()
                for pk in targets
                if (recipient_id, pk) not in allowed_pairs
            )
            continue
        readable = registry.readable_for(model)
        if readable is None:
            continue
        for recipient_id, targets in by_recipient.items():
            allowed = readable(recipient_id, list(targets.values()))
            hidden.update((type_id, pk, recipient_id) for pk in targets if pk not in allowed)
    return hidden

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
    field = Notification._meta.get_field("target")
    for item in items:
        if item.target_type_id is not None:
            field.set_cached_value(item, found.get((item.target_type_id, item.target_id)))
    return items

"""The live event of a notification: `notification.created` to its recipient."""

from core.realtime import Audience, broadcast_many_on_commit

from . import registry
from .models import Notification
from .serializers import NotificationSerializer

# What a notification's payload is made of, but for its id and recipient.
_SHARED_FIELDS = (
    "kind",
    "actor_id",
    "others_count",
    "target_type_id",
    "target_id",
    "read_at",
    "created_at",
    "updated_at",
)


def notification_created(notification: Notification) -> None:
    notifications_created([notification])


def notifications_created(notifications: list[Notification]) -> None:
    """`notification_created` for many at once (one action notifying many people): those that
    differ only by recipient share one serialisation, each with its own id, and the events go
    out in one Redis round trip after commit. A kind whose text depends on its recipient (it
    registered `text`, like answers) is serialised for each."""
    shared: dict[tuple, dict] = {}
    items = []
    for notification in notifications:
        key = None
        if registry.spec_of(notification).text is None:
            key = tuple(getattr(notification, f) for f in _SHARED_FIELDS)
        data = shared.get(key) if key is not None else None
        if data is None:
            data = NotificationSerializer(notification).data
            if key is not None:
                shared[key] = data
        event = {"type": "notification.created", "notification": {**data, "id": notification.pk}}
        items.append((event, Audience(user_ids=(notification.recipient_id,))))
    broadcast_many_on_commit(items)

"""Recording what happens. Domain services call these inside their own transaction, so an event
exists exactly when the thing it records does (no signals: the path reads top to bottom)."""

import logging
import threading
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from profiles.models import Profile, User

from .models import ActivityEvent, PendingEvent

logger = logging.getLogger(__name__)

Kind = ActivityEvent.Kind


def department_of(user: User) -> int:
    """The user's department now (0: none), from the loaded profile when there is one."""
    cache = getattr(user, "_state", None)
    profile = cache.fields_cache.get("profile") if cache is not None else None
    if profile is not None:
        return profile.department_id or 0
    department_id = (
        Profile.objects.filter(user_id=user.pk).values_list("department_id", flat=True).first()
    )
    return department_id or 0


def activity_record(
    *,
    actor: User | None,
    kind: str,
    object_id: int | None = None,
    value: int | None = None,
    about_id: int | None = None,
    department_id: int | None = None,
    community_id: int | None = None,
    at: datetime | None = None,
) -> ActivityEvent:
    """`community_id`: the community of the status this happened on (None: not in one)."""
    at = at or timezone.now()
    event = ActivityEvent.objects.create(
        kind=Kind(kind),
        actor_id=actor.pk if actor else None,
        department_id=(department_of(actor) if actor else 0)
        if department_id is None
        else department_id,
        occurred_at=at,
        day=timezone.localdate(at),
        object_id=object_id,
        value=value,
        about_id=about_id,
        community_id=community_id,
    )
    PendingEvent.objects.create(event_id=event.pk)
    return event


def activity_record_many(
    *, actor: User, kind: str, object_ids: list[int], department_id: int | None = None
) -> None:
    """One event per object (the hashtags of a status), in one insert."""
    activity_record_each(
        actor=actor,
        events=[(kind, object_id, None) for object_id in object_ids],
        department_id=department_id,
    )


def activity_record_each(
    *,
    actor: User,
    events: list[tuple[str, int | None, int | None]],
    department_id: int | None = None,
) -> None:
    """Several events of one actor at the same moment (a status and its hashtags), each
    `(kind, object_id, community_id)`: one insert for the events, one for their queue."""
    if not events:
        return
    at = timezone.now()
    department_id = department_of(actor) if department_id is None else department_id
    created = ActivityEvent.objects.bulk_create(
        [
            ActivityEvent(
                kind=Kind(kind),
                actor_id=actor.pk,
                department_id=department_id,
                occurred_at=at,
                day=timezone.localdate(at),
                object_id=object_id,
                community_id=community_id,
            )
            for kind, object_id, community_id in events
        ]
    )
    PendingEvent.objects.bulk_create([PendingEvent(event_id=e.pk) for e in created])


class _SeenToday:
    """Who this process has already recorded a visit for today: one insert per person and
    process a day, then nothing per request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.day: date | None = None
        self.ids: set[int] = set()

    def first(self, user_id: int, today: date) -> bool:
        with self.lock:
            if today != self.day:
                self.day, self.ids = today, set()
            if user_id in self.ids:
                return False
            self.ids.add(user_id)
            return True

    def forget(self, user_id: int) -> None:
        with self.lock:
            self.ids.discard(user_id)

    def clear(self) -> None:
        with self.lock:
            self.day, self.ids = None, set()


seen_today = _SeenToday()


def visit_record(*, user: User) -> bool:
    """The first authenticated request of the day. True when this call recorded it."""
    now = timezone.now()
    today = timezone.localdate(now)
    if not seen_today.first(user.pk, today):
        return False
    if ActivityEvent.objects.filter(kind=Kind.VISIT, actor_id=user.pk, day=today).exists():
        return False
    try:
        with transaction.atomic():
            activity_record(actor=user, kind=Kind.VISIT, at=now)
    except IntegrityError:
        return False  # another process recorded it first
    except Exception:
        # A visit is a statistic; failing to count one must not fail the request.
        seen_today.forget(user.pk)
        logger.exception("could not record a visit")
        return False
    return True

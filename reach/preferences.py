"""A person's notification settings: reading them with their defaults, validating a change,
and when their next digest is due. The only code that writes NotificationSettings."""

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from communities.models import Community
from communities.selectors import community_get_for_user
from feeds.models import Status
from feeds.selectors import statuses_visible_to
from profiles.models import User

from . import kinds
from .models import DigestFrequency, NotificationSettings

FIELDS = (
    "email",
    "push",
    "digest",
    "digest_hour",
    "time_zone",
    "muted_communities",
    "muted_statuses",
)
MAX_MUTED = 500


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def zone_of(row: NotificationSettings) -> ZoneInfo:
    try:
        return ZoneInfo(row.time_zone or django_settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def next_digest_at(*, now: datetime, zone: ZoneInfo, hour: int, frequency: str) -> datetime | None:
    """The next local `hour`:00 after `now` (a Monday for weekly), as an aware datetime."""
    if frequency == DigestFrequency.OFF:
        return None
    local = now.astimezone(zone)
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    if frequency == DigestFrequency.WEEKLY:
        while candidate.weekday() != 0:
            candidate += timedelta(days=1)
    # Re-attach the zone so a day crossing a DST change keeps the wall-clock hour.
    return candidate.replace(tzinfo=zone)


def settings_for(*, user: User) -> NotificationSettings:
    row = NotificationSettings.objects.filter(user=user).first()
    if row is None:
        row, _ = NotificationSettings.objects.get_or_create(
            user=user,
            defaults={"next_digest_at": _first_digest(timezone.now())},
        )
    return row


def _first_digest(now: datetime) -> datetime | None:
    return next_digest_at(
        now=now,
        zone=ZoneInfo(django_settings.TIME_ZONE),
        hour=kinds.DEFAULT_DIGEST_HOUR,
        frequency=kinds.DEFAULT_DIGEST,
    )


def settings_ensure_all(*, now: datetime | None = None) -> int:
    """Give every active person without settings their defaults (so the digest finds them)."""
    now = now or timezone.now()
    missing = list(
        User.objects.filter(is_active=True, reach_settings__isnull=True).values_list(
            "pk", flat=True
        )[:5000]
    )
    first = _first_digest(now)
    NotificationSettings.objects.bulk_create(
        [NotificationSettings(user_id=pk, next_digest_at=first) for pk in missing],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return len(missing)


def settings_payload(row: NotificationSettings) -> dict:
    return {
        "email": row.effective_email,
        "push": row.effective_push,
        "digest": row.digest,
        "digest_hour": row.digest_hour,
        "time_zone": row.time_zone or django_settings.TIME_ZONE,
        "muted_communities": sorted(row.muted_communities.values_list("slug", flat=True)),
        "muted_statuses": sorted(row.muted_statuses.values_list("pk", flat=True)),
        "push_available": bool(django_settings.VAPID_PUBLIC_KEY),
    }


def _kind_map(value, field: str, check, expected: str, errors: dict) -> dict | None:
    if not isinstance(value, dict):
        errors[field] = [f"Give an object of kind → {expected}."]
        return None
    problems = []
    unknown = [k for k in value if k not in kinds.KINDS]
    if unknown:
        problems.append(
            f"Unknown kind(s): {', '.join(map(str, unknown))}. Kinds: {', '.join(kinds.KINDS)}."
        )
    bad = [k for k, v in value.items() if k in kinds.KINDS and not check(v)]
    if bad:
        problems.append("; ".join(f"{k}: {value[k]!r} is not {expected}" for k in bad) + ".")
    if problems:
        errors[field] = problems
        return None
    return dict(value)


def settings_update(*, user: User, data: dict) -> NotificationSettings:
    """Change some of a person's settings (the fields given; kinds not given keep theirs).
    Every problem is reported at once, naming the field, kind or value."""
    if not isinstance(data, dict):
        raise ValidationError({"detail": ["Give a JSON object."]})
    errors: dict[str, list[str]] = {}
    unknown = [k for k in data if k not in FIELDS and k != "push_available"]
    for name in unknown:
        errors[str(name)] = [f"Unknown field. Fields: {', '.join(FIELDS)}."]
    changes: dict = {}
    if "email" in data:
        email = _kind_map(
            data["email"],
            "email",
            lambda v: v in kinds.EMAIL_MODES,
            " or ".join(f'"{m}"' for m in kinds.EMAIL_MODES),
            errors,
        )
        if email is not None:
            changes["email"] = email
    if "push" in data:
        push = _kind_map(
            data["push"], "push", lambda v: isinstance(v, bool), "true or false", errors
        )
        if push is not None:
            changes["push"] = push
    if "digest" in data:
        if data["digest"] not in kinds.DIGEST_CHOICES:
            errors["digest"] = [
                f"{data['digest']!r} is not one of {', '.join(kinds.DIGEST_CHOICES)}."
            ]
        else:
            changes["digest"] = data["digest"]
    if "digest_hour" in data:
        hour = data["digest_hour"]
        if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
            errors["digest_hour"] = [f"{hour!r} is not an hour from 0 to 23."]
        else:
            changes["digest_hour"] = hour
    if "time_zone" in data:
        zone = data["time_zone"]
        if not isinstance(zone, str) or zone not in time_zones():
            errors["time_zone"] = [f"{zone!r} is not a time zone such as Europe/Paris or UTC."]
        else:
            changes["time_zone"] = zone
    communities = None
    if "muted_communities" in data:
        communities = _communities(user, data["muted_communities"], errors)
    statuses = None
    if "muted_statuses" in data:
        statuses = _statuses(user, data["muted_statuses"], errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = settings_for(user=user)
        row = NotificationSettings.objects.select_for_update().get(pk=row.pk)
        for key in ("email", "push"):
            if key in changes:
                merged = {**getattr(row, key), **changes[key]}
                setattr(row, key, merged)
        for key in ("digest", "digest_hour", "time_zone"):
            if key in changes:
                setattr(row, key, changes[key])
        now = timezone.now()
        row.next_digest_at = next_digest_at(
            now=now, zone=zone_of(row), hour=row.digest_hour, frequency=row.digest
        )
        row.updated_at = now
        row.save()
        if communities is not None:
            row.muted_communities.set(communities)
        if statuses is not None:
            row.muted_statuses.set(statuses)
    return row


def _id_list(value, field: str, errors: dict, item_type) -> list | None:
    if not isinstance(value, list) or not all(isinstance(v, item_type) for v in value):
        errors[field] = [f"Give a list of {item_type.__name__ if item_type is str else 'ids'}."]
        return None
    if len(value) > MAX_MUTED:
        errors[field] = [f"At most {MAX_MUTED}."]
        return None
    return list(dict.fromkeys(value))


def _communities(user: User, value, errors: dict) -> list[Community] | None:
    slugs = _id_list(value, "muted_communities", errors, str)
    if slugs is None:
        return None
    found, unknown = [], []
    for slug in slugs:
        try:
            found.append(community_get_for_user(user=user, slug=slug))
        except Http404:  # missing and secret alike
            unknown.append(slug)
    if unknown:
        errors["muted_communities"] = [f"No such community: {', '.join(unknown)}."]
        return None
    return found


def _statuses(user: User, value, errors: dict) -> list[int] | None:
    ids = _id_list(value, "muted_statuses", errors, int)
    if ids is None:
        return None
    ids = [i for i in ids if not isinstance(i, bool)]
    found = set(statuses_visible_to(user=user).filter(pk__in=ids).values_list("pk", flat=True))
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        errors["muted_statuses"] = [f"No such status: {', '.join(unknown)}."]
        return None
    return ids


def status_mute(*, user: User, status: Status, muted: bool) -> None:
    row = settings_for(user=user)
    if muted:
        row.muted_statuses.add(status)
    else:
        row.muted_statuses.remove(status)


def unsubscribe(*, user_id: int, scope: str | list[str]) -> NotificationSettings | None:
    """Turn email off: for some kinds, for the digest ("digest"), or everything ("all")."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    with transaction.atomic():
        row = settings_for(user=user)
        row = NotificationSettings.objects.select_for_update().get(pk=row.pk)
        if scope in ("digest", "all"):
            row.digest = DigestFrequency.OFF
            row.next_digest_at = None
        if scope == "all":
            row.email = dict.fromkeys(kinds.KINDS, "off")
        elif isinstance(scope, list):
            row.email = {**row.email, **{k: "off" for k in scope if k in kinds.KINDS}}
        row.updated_at = timezone.now()
        row.save()
    return row

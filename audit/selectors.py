"""Reading the audit log: one filter for the page, its CSV and the API. Who may read it is
asked above (profiles.permissions.may_read_audit, in governance)."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .actions import is_known
from .models import AuditEntry

MAX_ACTOR = 150


@dataclass(frozen=True)
class AuditFilter:
    """`actor`: the name recorded for the actor (a username, or `scim:<token>`); `action`: a
    full name or a family; `start` inclusive, `end` exclusive (a date as `end` means its whole
    day)."""

    actor: str = ""
    action: str = ""
    start: datetime | None = None
    end: datetime | None = None
    # As given, for links and for the export's own entry.
    given: tuple[tuple[str, str], ...] = ()

    def as_query(self) -> dict[str, str]:
        return dict(self.given)


def _parse(value: str, *, end: bool) -> datetime | None:
    # Well-formed but impossible (2026-13-45) raises ValueError; unparseable gives None; the
    # first and last days there are overflow when moved a day or a time zone.
    try:
        day = parse_date(value) if len(value) == 10 else None
        if day is not None:
            moment = datetime.combine(day + timedelta(days=1) if end else day, time())
        else:
            moment = parse_datetime(value)
        if moment is None:
            return None
        moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        moment.astimezone(UTC)  # what the database is given
    except (ValueError, OverflowError):
        return None
    return moment


def _moment(value: str, field: str, *, end: bool) -> datetime:
    value = value.strip()
    moment = _parse(value, end=end)
    if moment is None:
        raise ValidationError(
            {
                field: f"Use a date like 2026-01-31 or a time like 2026-01-31T09:30:00Z, "
                f"not {value[:40]!r}."
            }
        )
    return moment


def audit_filter_from(query) -> AuditFilter:
    """Validated filters from a query dict; ValidationError naming each bad field (a 400)."""
    errors: dict[str, str] = {}
    actor = (query.get("actor") or "").strip()
    if len(actor) > MAX_ACTOR:
        errors["actor"] = f"A user name has at most {MAX_ACTOR} characters."
    elif any(ord(c) < 32 for c in actor):
        errors["actor"] = "A user name has no control characters."
    action = (query.get("action") or "").strip()
    if action and not is_known(action):
        errors["action"] = f"No such action: {action[:64]!r} (see docs/governance.md)."
    bounds: dict[str, datetime | None] = {"start": None, "end": None}
    for field in bounds:
        raw = query.get(field) or ""
        if raw.strip():
            try:
                bounds[field] = _moment(raw, field, end=field == "end")
            except ValidationError as exc:
                errors.update({k: v[0] for k, v in exc.message_dict.items()})
    start, end = bounds["start"], bounds["end"]
    if start and end and start >= end:
        errors["end"] = "The end must be after the start."
    if errors:
        raise ValidationError(errors)
    given = tuple(
        (name, value)
        for name, value in (
            ("actor", actor),
            ("action", action),
            ("start", (query.get("start") or "").strip()),
            ("end", (query.get("end") or "").strip()),
        )
        if value
    )
    return AuditFilter(actor=actor, action=action, start=start, end=end, given=given)


def audit_entries_filtered(filters: AuditFilter) -> QuerySet[AuditEntry]:
    """Newest first, by (at, id): keyset pages (core.pagination) and the CSV walk it."""
    entries = AuditEntry.objects.order_by("-at", "-id")
    if filters.actor:
        entries = entries.filter(actor_name=filters.actor)
    if filters.action:
        if "." in filters.action:
            entries = entries.filter(action=filters.action)
        else:
            entries = entries.filter(action__startswith=filters.action + ".")
    if filters.start:
        entries = entries.filter(at__gte=filters.start)
    if filters.end:
        entries = entries.filter(at__lt=filters.end)
    return entries

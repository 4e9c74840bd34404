"""Recording an audited action. Callers record inside their own transaction, so an entry exists
exactly when the action it records does."""

import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from . import actions
from .context import Origin, current_origin, origin_of
from .models import AuditEntry, AuditEntryImmutable


def _label(target) -> str:
    return str(target)[:200]


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def audit_record(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str | int | None = None,
    target_label: str = "",
    detail: dict | None = None,
    on_behalf_of=None,
    request=None,
    origin: Origin | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """One entry. `target` names a model instance (type `app_label.model`, its pk and its string
    form); or pass `target_type`/`target_id`/`target_label` for something that is not a row (a
    username that failed to log in). The address and user agent come from `request`, `origin`,
    or the request being served (audit.context), in that order; a job has none. `actor_label`
    names an actor that is not an account (`scim:<token name>`); `actor` wins when given."""
    where = origin or (origin_of(request) if request is not None else current_origin())
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target.pk if target_id is None else target_id
        target_label = target_label or _label(target)
    real_actor = actor if actor is not None and getattr(actor, "pk", None) else None
    detail = dict(detail or {})
    if where is not None and where.credential:
        detail.setdefault("credential", where.credential)
    return AuditEntry.objects.create(
        actor=real_actor,
        actor_name=real_actor.get_username() if real_actor else actor_label[:150],
        on_behalf_of=on_behalf_of,
        on_behalf_of_name=on_behalf_of.get_username() if on_behalf_of else "",
        action=action,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id)[:64],
        target_label=target_label[:200],
        detail=detail,
        ip=_valid_ip(where.ip) if where else None,
        user_agent=where.user_agent[:300] if where else "",
    )


def audit_entries() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.all()


def audit_purge(*, now: datetime | None = None) -> int:
    """The audit log's own retention (daily, audit.jobs): entries older than
    AUDIT_RETENTION_DAYS go, and one `audit.purged` entry says how many. Idempotent."""
    now = now or timezone.now()
    days = settings.AUDIT_RETENTION_DAYS
    cutoff = now - timedelta(days=days)
    with transaction.atomic():
        count = AuditEntry.objects.purge_before(cutoff)
        audit_record(
            action=actions.AUDIT_PURGED,
            target_type="audit.auditentry",
            target_label=f"entries before {cutoff:%Y-%m-%d %H:%M} UTC",
            detail={"count": count, "before": cutoff.isoformat(), "retention_days": days},
        )
    return count


__all__ = ["AuditEntryImmutable", "audit_entries", "audit_purge", "audit_record"]

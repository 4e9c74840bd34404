"""Writes of the audit log's readers: an export of it is itself an audited action."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from audit import actions
from audit.models import AuditEntry
from audit.selectors import AuditFilter, audit_entries_filtered
from audit.services import audit_record
from profiles.models import User
from profiles.permissions import may_read_audit

DENIED = "The audit log is for Compliance and administrators."


def audit_log_check_reader(user: User) -> None:
    if not may_read_audit(user):
        raise PermissionDenied(DENIED)


def audit_log_export(*, actor: User, filters: AuditFilter) -> QuerySet[AuditEntry]:
    """The entries a CSV download holds, recorded first as one `export.audit_log` entry with
    the filters (so the download lists itself when the filters match it)."""
    audit_log_check_reader(actor)
    audit_record(
        action=actions.EXPORT_AUDIT_LOG,
        actor=actor,
        target_type="audit.auditentry",
        target_label="audit log (CSV)",
        detail={"filters": filters.as_query()},
    )
    return audit_entries_filtered(filters)

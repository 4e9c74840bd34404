"""Work the job runner does for the audit log."""

from datetime import time

from core.jobs import periodic

from .services import audit_purge


@periodic(daily_at=time(2, 47))
def audit_log_purge() -> None:
    """Daily: the audit log keeps AUDIT_RETENTION_DAYS (at least a year), then lets go."""
    audit_purge()

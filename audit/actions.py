"""The names of audited actions (AuditEntry.action)."""

EDISCOVERY_REQUESTED = "export.ediscovery_requested"
EDISCOVERY_DOWNLOADED = "export.ediscovery_downloaded"

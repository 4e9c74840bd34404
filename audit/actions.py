"""The actions the audit log records, one constant each (the `action` of an AuditEntry)."""

RETENTION_RUN = "retention.run"
RETENTION_POLICY_CHANGED = "retention.policy_changed"
HOLD_PLACED = "hold.placed"
HOLD_RELEASED = "hold.released"

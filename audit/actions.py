"""The names of audited actions (AuditEntry.action)."""

DELEGATE_ADDED = "delegate.added"
DELEGATE_REMOVED = "delegate.removed"
DELEGATE_ACTED = "delegate.acted"

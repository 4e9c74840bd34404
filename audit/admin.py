from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only, like the log itself; Compliance reads it at /compliance/audit/."""

    list_display = ["at", "actor_name", "action", "target_type", "target_label", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_name", "target_label"]
    date_hierarchy = "at"

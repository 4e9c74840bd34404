from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Read-only: files change through their posts and the moderation log only."""

    list_display = ("token", "kind", "name", "size", "uploader", "owner_type", "owner_id")
    list_filter = ("kind",)
    search_fields = ("name", "token", "uploader__username")
    readonly_fields = [f.name for f in Attachment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

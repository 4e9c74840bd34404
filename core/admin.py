from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only the product's services write (audit trails, moderated content)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from .models import ProvisionedGroup, ProvisionedUser, ProvisioningEvent, ScimToken
from .services import token_create, token_revoke


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """Admins name a token, see its secret once (in the message after saving) and revoke it.
    Nothing else about a token changes: a leaked token is revoked and replaced."""

    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at", "created_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    fields = ["name"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["name"] if obj is None else ["name", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["name", *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the log keeps naming it

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            token, secret = token_create(name=form.cleaned_data["name"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return
        obj.pk = token.pk
        obj.__dict__.update(token.__dict__)
        messages.warning(
            request,
            f"The token “{token.name}” is {secret} — copy it now into the identity provider: "
            "it is not stored and will not be shown again.",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token)
        messages.success(request, f"Revoked {queryset.count()} token(s).")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProvisioningEvent)
class ProvisioningEventAdmin(ReadOnly):
    list_display = ["created_at", "token_name", "action", "resource_type", "resource_id", "summary"]
    list_filter = ["token_name", "action", "resource_type"]
    search_fields = ["resource_id", "summary"]
    date_hierarchy = "created_at"


@admin.register(ProvisionedUser)
class ProvisionedUserAdmin(ReadOnly):
    list_display = [
        "user_name",
        "user",
        "external_id",
        "employee_number",
        "updated_at",
        "deleted_at",
    ]
    search_fields = ["user_name", "external_id", "user__username"]
    list_select_related = ["user"]


@admin.register(ProvisionedGroup)
class ProvisionedGroupAdmin(ReadOnly):
    list_display = ["display_name", "kind", "community", "role", "updated_at"]
    list_filter = ["kind"]

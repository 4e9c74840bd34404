"""Admins see communities and memberships; membership changes go through the pages and API so
that the owner rule, counts, notifications and live events hold."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Community, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "state", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Community)
class CommunityAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "visibility", "join_policy", "members_count", "provisioned"]
    list_filter = ["visibility", "join_policy", "provisioned"]
    search_fields = ["name", "slug", "description"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["community", "user", "role", "state", "created_at"]
    list_filter = ["role", "state"]
    search_fields = ["community__name", "user__username"]
    list_select_related = ["community", "user"]

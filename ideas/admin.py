"""Read-only admin for ideas: only ideas.services writes them (decisions are a public record)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Idea, IdeaDecision


class IdeaDecisionInline(admin.TabularInline):
    model = IdeaDecision
    fields = ["created_at", "from_state", "to_state", "decided_by", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Idea)
class IdeaAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "author", "state", "votes_count", "created_at"]
    list_filter = ["state", "department"]
    search_fields = ["title", "description"]
    fields = [
        "title",
        "author",
        "description",
        "department",
        "state",
        "votes_count",
        "created_at",
        "edited_at",
        "state_changed_at",
        "last_activity_at",
        "card",
    ]
    readonly_fields = fields
    list_select_related = ["author"]
    date_hierarchy = "created_at"
    inlines = [IdeaDecisionInline]


@admin.register(IdeaDecision)
class IdeaDecisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "idea", "from_state", "to_state", "decided_by", "created_at"]
    list_filter = ["to_state"]
    search_fields = ["reason"]
    fields = ["idea", "from_state", "to_state", "decided_by", "reason", "created_at"]
    readonly_fields = fields
    list_select_related = ["idea", "decided_by"]
    date_hierarchy = "created_at"

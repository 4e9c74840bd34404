"""Read-only admin for questions. The asker is left out entirely: a question may be anonymous,
and its asker is never shown anywhere, the admin included (no column, no field, no search)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Delegation, Question


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["id", "short_body", "anonymous", "votes_count", "created_at", "answered_at"]
    list_filter = ["anonymous", "removal"]
    search_fields = ["body"]
    fields = [
        "body",
        "anonymous",
        "created_at",
        "votes_count",
        "answer_body",
        "answered_by",
        "answer_posted_by",
        "answered_at",
        "merged_into",
        "removal",
        "removal_reason",
        "removed_by",
        "removed_at",
    ]
    readonly_fields = fields
    list_select_related = ["answered_by"]
    date_hierarchy = "created_at"

    @admin.display(description="question")
    def short_body(self, obj: Question) -> str:
        return obj.body[:80]


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    """Who writes for which executive. Read-only: executives name and remove their delegates
    themselves (their profile page or the API), so every change is theirs and is audited."""

    list_display = ["executive", "delegate", "created_at"]
    search_fields = ["executive__username", "delegate__username"]
    fields = ["executive", "delegate", "created_at"]
    readonly_fields = fields
    list_select_related = ["executive", "delegate"]

"""Read-mostly admin: moderation goes through the moderators' pages so every action is logged."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Comment, Hashtag, ModerationAction, Poll, PollOption, Report, Status


@admin.register(Status)
class StatusAdmin(ReadOnlyAdmin):
    list_display = ["id", "author", "visibility", "created_at", "removal", "is_announcement"]
    list_filter = ["visibility", "removal", "is_announcement"]
    search_fields = ["body", "author__username"]
    list_select_related = ["author"]
    date_hierarchy = "created_at"


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "author", "created_at", "removal"]
    search_fields = ["body", "author__username"]
    list_select_related = ["author", "status"]


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "moderator",
        "action",
        "status",
        "comment",
        "target_type",
        "target_id",
        "reason",
    ]
    list_filter = ["action"]
    list_select_related = ["moderator"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reporter", "status", "comment", "reason", "resolved_at"]
    list_select_related = ["reporter"]


@admin.register(Hashtag)
class HashtagAdmin(ReadOnlyAdmin):
    search_fields = ["name"]


class PollOptionInline(admin.TabularInline):
    model = PollOption
    fields = ["position", "label", "votes_count"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin):
    """Counts only. Ballots and named votes have no admin: for an anonymous poll there is
    nothing linking a voter to an option to show, and a named poll's voters are on its card."""

    list_display = ["id", "status", "multiple", "anonymous", "ends_at", "voters_count"]
    list_filter = ["anonymous", "multiple"]
    list_select_related = ["status"]
    inlines = [PollOptionInline]

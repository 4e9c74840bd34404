"""Read-mostly admin: moderation goes through the moderators' pages so every action is logged."""

from django.contrib import admin

from enterprise_social.admin import ReadOnlyAdmin

from .models import Comment, Hashtag, ModerationAction, Report, Status


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
    list_display = ["created_at", "moderator", "action", "status", "comment", "question", "reason"]
    list_filter = ["action"]
    list_select_related = ["moderator"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reporter", "status", "comment", "reason", "resolved_at"]
    list_select_related = ["reporter"]


@admin.register(Hashtag)
class HashtagAdmin(ReadOnlyAdmin):
    search_fields = ["name"]

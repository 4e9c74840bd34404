"""The default admin site, which gives every ModelAdmin registered on it (the project's, and
Django's or allauth's own) the audited `log_*` methods: the admin's history (LogEntry) and the
audit log say the same, one audit entry per object added, changed or deleted, in the admin's
transaction. Custom admin actions that call a service are audited by the service."""

from django.contrib import admin

from . import actions
from .services import audit_record


def _changes(message) -> list | str:
    return message if isinstance(message, list | str) else str(message)


class AuditedModelAdmin:
    """Mixed in before the registered class: Django's log entry first, then ours."""

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        audit_record(
            action=actions.ADMIN_ADDITION,
            actor=request.user,
            target=obj,
            detail={"changes": _changes(message)},
            request=request,
        )
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        audit_record(
            action=actions.ADMIN_CHANGE,
            actor=request.user,
            target=obj,
            detail={"changes": _changes(message)},
            request=request,
        )
        return entry

    def log_deletions(self, request, queryset):
        # Called before the objects go, so their names can still be read.
        objects = list(queryset)
        entries = super().log_deletions(request, objects)
        for obj in objects:
            audit_record(
                action=actions.ADMIN_DELETION, actor=request.user, target=obj, request=request
            )
        return entries


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedModelAdmin):
            admin_class = type(
                admin_class.__name__,
                (AuditedModelAdmin, admin_class),
                {"__module__": admin_class.__module__},
            )
        return super().register(model_or_iterable, admin_class, **options)

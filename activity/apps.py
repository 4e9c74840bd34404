from django.apps import AppConfig


class ActivityConfig(AppConfig):
    """What people do, recorded as append-only events for the engagement reports (aggregates
    only). Above profiles, below every app that records."""

    name = "activity"
    verbose_name = "Activity events"

    def ready(self) -> None:
        from core import hooks

        from . import export
        from . import hooks as activity_hooks
        from .services import visit_record

        hooks.api_authenticated.connect(visit_record)
        activity_hooks.connect()  # follows, made in profiles below
        export.register()

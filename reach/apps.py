from importlib import import_module

from django.apps import AppConfig


class ReachConfig(AppConfig):
    """Email, web push and the installable app: reaching people away from the open tab."""

    name = "reach"

    def ready(self) -> None:
        from feeds import hooks as feed_hooks
        from notifications import hooks as notification_hooks

        from . import services

        import_module("reach.notification_kinds").register_kinds()
        notification_hooks.notifications_created.connect(services.on_notifications_created)
        feed_hooks.status_announced.connect(services.on_status_announced)
        import_module("reach.jobs")

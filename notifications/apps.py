from importlib import import_module

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Stored notifications. The apps above register how their kinds render
    (`notifications.registry`); this app imports none of them."""

    name = "notifications"

    def ready(self) -> None:
        import_module("notifications.kinds").register_kinds()

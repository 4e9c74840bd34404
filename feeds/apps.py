from importlib import import_module

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "feeds"

    def ready(self) -> None:
        import_module("feeds.notification_kinds").register_kinds()

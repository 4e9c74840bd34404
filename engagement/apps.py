from importlib import import_module

from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"

    def ready(self) -> None:
        # Follows are made in profiles, below: it sends a hook and the record answers it.
        import_module("engagement.hooks").connect()

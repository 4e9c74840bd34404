from importlib import import_module

from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"

    def ready(self) -> None:
        import_module("engagement.jobs")  # registers the periodic jobs

from importlib import import_module

from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "ideas"

    def ready(self) -> None:
        import_module("ideas.notification_kinds").register_kinds()

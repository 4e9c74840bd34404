from importlib import import_module

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared library every app builds on: it imports no app of the project."""

    name = "core"
    verbose_name = "Enterprise Social core"

    def ready(self) -> None:
        import_module("core.schema")  # registers the OpenAPI extensions
        import_module("core.housekeeping")  # registers the periodic jobs

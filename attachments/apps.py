from importlib import import_module

from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "attachments"

    def ready(self) -> None:
        from . import export

        export.register()
        import_module("attachments.jobs")  # registers the periodic purge

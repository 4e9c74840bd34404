from importlib import import_module

from django.apps import AppConfig


class EdiscoveryConfig(AppConfig):
    """eDiscovery exports: what Compliance hands to lawyers, built by the job runner."""

    name = "ediscovery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import_module("ediscovery.jobs")  # registers the cleanup and the resume sweep

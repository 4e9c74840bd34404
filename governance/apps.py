from importlib import import_module

from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """What the CIO answers for: the audit log's pages, retention policies and legal holds."""

    name = "governance"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from feeds import hooks as feed_hooks

        from .selectors import status_is_held

        # A held status keeps its record and files when its author deletes it.
        feed_hooks.status_held.connect(status_is_held)
        import_module("governance.jobs")  # registers the daily retention run

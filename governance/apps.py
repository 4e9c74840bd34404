from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """What the CIO answers for: the audit log's pages, retention policies and legal holds."""

    name = "governance"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import signals

        from . import jobs, logins

        del jobs  # imported for its periodic job
        signals.user_logged_in.connect(logins.login_succeeded, dispatch_uid="audit.login")
        signals.user_login_failed.connect(logins.login_failed, dispatch_uid="audit.login_failed")

"""Logins and failed logins, heard from django.contrib.auth's own signals: every way in (the
allauth pages, the app clients' headless API, the admin, single sign-on) ends in Django's
`login()` or `authenticate()`, which send them. Connected in AuditConfig.ready()."""

from . import actions
from .services import audit_record

# What allauth and Django call the name that was tried, in the order they are looked at.
NAME_KEYS = ("username", "login", "email")


def login_succeeded(sender, request, user, **kwargs) -> None:
    audit_record(action=actions.LOGIN_SUCCEEDED, actor=user, target=user, request=request)


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    """The target is the name that was tried (Django masks the password before sending)."""
    tried = next((str(credentials[k]) for k in NAME_KEYS if credentials.get(k)), "")
    audit_record(
        action=actions.LOGIN_FAILED,
        target_type="login",
        target_id=None,
        target_label=tried[:200],
        request=request,
    )

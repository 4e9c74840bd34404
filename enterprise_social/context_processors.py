from django.conf import settings

from notifications.selectors import unread_notification_count
from profiles import permissions


def navigation(request) -> dict:
    """What the navigation needs: the viewer's roles and which section is current."""
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {
        "nav_section": match.namespace if match else "",
        "viewer_is_hr": permissions.is_hr(user),
        "viewer_is_executive": permissions.is_executive(user),
        "viewer_is_moderator": permissions.is_moderator(user),
        "viewer_may_read_audit": permissions.may_read_audit(user),
        "viewer_is_compliance": permissions.is_compliance(user),
        "signup_open": bool(settings.ALLOWED_SIGNUP_DOMAINS),
        "unread_notifications": (
            unread_notification_count(user=user) if getattr(user, "is_authenticated", False) else 0
        ),
    }

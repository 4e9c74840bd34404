from django.conf import settings

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
        "signup_open": bool(settings.ALLOWED_SIGNUP_DOMAINS),
    }

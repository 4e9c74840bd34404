"""Who may manage webhooks: admins (staff or superusers) only."""

from rest_framework import permissions

from profiles.permissions import is_admin


class IsAdmin(permissions.BasePermission):
    message = "Only admins manage webhooks."

    def has_permission(self, request, view) -> bool:
        if not hasattr(view, request.method.lower()):
            return True  # a method the view does not have: 405 for everyone, as elsewhere
        return is_admin(request.user)

"""Who may ask for, follow and download eDiscovery exports: Compliance only. Administrators
without the role are refused like everyone else (docs/governance.md, "Roles")."""

from rest_framework import permissions

from profiles.permissions import is_compliance


def may_export(user) -> bool:
    return is_compliance(user)


class IsCompliance(permissions.BasePermission):
    message = "Only Compliance asks for and reads eDiscovery exports."

    def has_permission(self, request, view) -> bool:
        if not hasattr(view, request.method.lower()):
            return True  # a method the view does not have: 405 for everyone, as elsewhere
        return may_export(request.user)

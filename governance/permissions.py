"""Who may set retention policies and manage legal holds."""

from profiles.permissions import is_admin, is_compliance


def can_set_retention(user) -> bool:
    return is_compliance(user) or is_admin(user)


def can_manage_holds(user) -> bool:
    """Compliance only: an administrator who needs it grants themselves the role, which the
    audit log records."""
    return is_compliance(user)

"""Roles and the checks every app reuses. Roles are Django groups, created by a migration."""

from django.contrib.auth.models import AnonymousUser

EXECUTIVES = "Executives"
HR = "HR"
MODERATORS = "Moderators"
# Reads the audit log, places legal holds, runs eDiscovery exports (docs/governance.md).
COMPLIANCE = "Compliance"
ROLES = (EXECUTIVES, HR, MODERATORS, COMPLIANCE)


def _group_names(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def is_employee(user) -> bool:
    """Any authenticated, active account is an employee."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def has_role(user, role: str) -> bool:
    return is_employee(user) and role in _group_names(user)


def is_executive(user) -> bool:
    return has_role(user, EXECUTIVES)


def is_hr(user) -> bool:
    return has_role(user, HR)


def is_moderator(user) -> bool:
    return has_role(user, MODERATORS)


def is_compliance(user) -> bool:
    return has_role(user, COMPLIANCE)


def may_read_audit(user) -> bool:
    """The audit log and the retention settings: Compliance and administrators (legal holds
    and eDiscovery exports are Compliance's alone: `is_compliance`)."""
    return is_compliance(user) or is_admin(user)


def is_admin(user) -> bool:
    return is_employee(user) and (user.is_staff or user.is_superuser)


def roles_of(user: "AnonymousUser | object") -> list[str]:
    """The role names to show on a profile, in a stable order."""
    names = _group_names(user)
    return [role for role in ROLES if role in names]


def can_edit_profile(user, profile) -> bool:
    return is_employee(user) and profile.user_id == user.pk

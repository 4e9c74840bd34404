"""A person's own data as JSON (`GET /api/v1/me/export/`): their account and profile, everything
they wrote and everything they did that the product records about them by name.

Only the person themselves can download it. It holds their own anonymous questions (they asked
them) and none of anyone else's words beyond the ids of what they reacted to or answered.
What is kept, and for how long, is in docs/security.md ("Personal data").

Assembled, not reached for: profiles writes the account, the profile and the follows; every app
above registers its own sections in its AppConfig.ready() (`register_section`), so this module
imports no app above profiles, and a new app's data cannot be forgotten by the export.
"""

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from audit import actions as audit_actions
from audit.services import audit_record

from .models import Follow, Profile, User

FORMAT_VERSION = 1

# name -> what the person's section holds; filled by the apps' ready(), in INSTALLED_APPS order.
_sections: dict[str, Callable[[User], Any]] = {}


def register_section(name: str, build: Callable[[User], Any]) -> None:
    """Add `name` to every export, built by `build(user)`. A name belongs to one app."""
    owner = _sections.get(name)
    if owner is not None and owner is not build:
        raise ValueError(f"personal data section {name!r} is registered twice")
    _sections[name] = build


def sections() -> tuple[str, ...]:
    return ("account", "profile", "following", *_sections)


def rows(queryset, order: str, *fields: str) -> list[dict]:
    """The person's rows of one kind, oldest first, as plain values."""
    return list(queryset.order_by(order, "id").values(*fields))


def personal_export(*, user: User) -> dict:
    """The whole export; each one is recorded in the audit log (`export.personal`)."""
    audit_record(
        action=audit_actions.EXPORT_PERSONAL,
        actor=user,
        target=user,
        detail={"format": FORMAT_VERSION},
    )
    profile = (
        Profile.objects.select_related("department", "manager__user")
        .prefetch_related("skills")
        .filter(user=user)
        .first()
    )
    return {
        "format": FORMAT_VERSION,
        "exported_at": timezone.now(),
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
        },
        "profile": None
        if profile is None
        else {
            "display_name": profile.display_name,
            "title": profile.title,
            "department": profile.department.name if profile.department else None,
            "manager": profile.manager.user.username if profile.manager else None,
            "location": profile.location,
            "pronouns": profile.pronouns,
            "bio": profile.bio,
            "skills": [skill.name for skill in profile.skills.all()],
            "has_picture": bool(profile.avatar),
            "created_at": profile.created_at,
            "updated_at": profile.updated_at,
        },
        "following": rows(
            Follow.objects.filter(follower=user), "created_at", "followee__username", "created_at"
        ),
        **{name: build(user) for name, build in _sections.items()},
    }

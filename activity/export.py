"""activity's section of a person's data export (profiles.export, registered in ready)."""

from profiles.export import register_section, rows
from profiles.models import User

from .models import ActivityEvent


def activity(user: User) -> list[dict]:
    # What the engagement record holds by name; reports only ever show groups of 5 or more.
    return rows(ActivityEvent.objects.filter(actor=user), "occurred_at", "kind", "occurred_at")


def register() -> None:
    register_section("activity", activity)

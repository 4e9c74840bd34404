"""The communities section of a person's data export."""

from profiles.models import User

from .models import Membership


def memberships_of(user: User) -> list[dict]:
    return [
        {
            "community": row["community__slug"],
            "name": row["community__name"],
            "role": row["role"],
            "state": row["state"],
            "since": row["created_at"],
        }
        for row in Membership.objects.filter(user=user)
        .order_by("created_at", "id")
        .values("community__slug", "community__name", "role", "state", "created_at")
    ]

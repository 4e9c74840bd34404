"""ideas' sections of a person's data export (profiles.export, registered in ready)."""

from profiles.export import register_section, rows
from profiles.models import User

from .models import Idea, IdeaVote


def ideas(user: User) -> list[dict]:
    return rows(
        Idea.objects.filter(author=user),
        "created_at",
        *("id", "title", "description", "state", "created_at", "edited_at"),
    )


def idea_votes(user: User) -> list[dict]:
    return rows(IdeaVote.objects.filter(user=user), "created_at", "idea_id", "created_at")


def register() -> None:
    for build in (ideas, idea_votes):
        register_section(build.__name__, build)

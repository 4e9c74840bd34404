"""How the notifications ideas sends render (`notifications.registry`): decisions on an idea,
and mentions in its description (whose discussion is its card, a status)."""

from feeds.notification_kinds import status_excerpt
from notifications.registry import Excerpt, register

from .models import Idea


def idea_url(notification, idea: Idea) -> str:
    return f"/ideas/{idea.pk}/"


def idea_excerpt(idea: Idea) -> Excerpt:
    if idea.is_removed:
        return Excerpt(note="(removed)")
    return Excerpt(text=idea.title)


def card_excerpt(idea: Idea) -> Excerpt | None:
    return status_excerpt(idea.card)


def register_kinds() -> None:
    register(
        "idea",
        label="changed the state of an idea",
        icon="check",
        model=Idea,
        url=idea_url,
        refs=lambda idea: {"idea_id": idea.pk},
        excerpt=idea_excerpt,
    )
    register(
        "mention",
        label="mentioned you",
        icon="mention",
        model=Idea,
        url=idea_url,
        refs=lambda idea: {"idea_id": idea.pk, "status_id": idea.card_id},
        excerpt=card_excerpt,
        related=("card",),
    )

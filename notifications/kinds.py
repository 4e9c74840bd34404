"""The one kind this app sends itself: a new follower (profiles is below this app and sends
the `follow.created` hook; a follow is about nobody but its actor)."""

from core import hooks

from . import services
from .registry import register


def follow_url(notification, target) -> str:
    return f"/people/{notification.actor.username}/"


def register_kinds() -> None:
    register("follow", label="started following you", icon="follow", url=follow_url)
    hooks.connect("follow.created", services.follow_notify)

"""The one kind this app sends itself: a new follower (profiles is below this app and calls
`profiles.hooks.follow_created`; a follow is about nobody but its actor)."""

from profiles import hooks as profile_hooks

from . import services
from .registry import register


def follow_url(notification, target) -> str:
    return f"/people/{notification.actor.username}/"


def register_kinds() -> None:
    register("follow", label="started following you", icon="follow", url=follow_url)
    profile_hooks.follow_created.connect(services.follow_notify)

"""What the activity record answers to in the layer below (profiles' hooks, core.hooks)."""

from profiles import hooks as profile_hooks

from .services import Kind, activity_record


def follow_recorded(*, follower, followee) -> None:
    activity_record(actor=follower, kind=Kind.FOLLOW, object_id=followee.pk)


def connect() -> None:
    profile_hooks.follow_created.connect(follow_recorded)

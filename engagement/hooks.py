"""What the activity record answers to in the layers below (`core.hooks`)."""

from profiles import hooks as profile_hooks

from .services import Kind, activity_record


def follow_recorded(*, follower, followee) -> None:
    activity_record(actor=follower, kind=Kind.FOLLOW, object_id=followee.pk)


def connect() -> None:
    # Once activity_record lives in the activity app (below feeds), this moves there.
    profile_hooks.follow_created.connect(follow_recorded)

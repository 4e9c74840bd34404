"""What the activity record answers to in the layers below (`core.hooks`)."""

from core import hooks

from .services import Kind, activity_record


def follow_recorded(*, follower, followee) -> None:
    activity_record(actor=follower, kind=Kind.FOLLOW, object_id=followee.pk)


def connect() -> None:
    hooks.connect("follow.created", follow_recorded)

"""How the notifications feeds sends render (`notifications.registry`): mentions, comments and
reactions, about a status or a comment; and the live side of a follow (`profiles.hooks`)."""

from notifications.registry import Excerpt, register
from profiles import hooks as profile_hooks

from . import events
from .models import Comment, Status


def status_url(notification, status: Status) -> str:
    return f"/statuses/{status.pk}/"


def comment_url(notification, comment: Comment) -> str:
    return f"/statuses/{comment.status_id}/#comment-{comment.pk}"


def status_refs(status: Status) -> dict:
    return {"status_id": status.pk}


def comment_refs(comment: Comment) -> dict:
    return {"status_id": comment.status_id, "comment_id": comment.pk}


def status_excerpt(status: Status | None) -> Excerpt | None:
    if status is None:
        return None
    if status.is_removed:
        return Excerpt(note="(removed)")
    return Excerpt(html=status.body_html)


def comment_excerpt(comment: Comment) -> Excerpt | None:
    if not comment.is_removed:
        return Excerpt(html=comment.body_html)
    return status_excerpt(comment.status)


def follow_changed(*, follower, followee) -> None:
    events.follow_changed(follower_id=follower.pk, followee_id=followee.pk, following=True)


def unfollow_changed(*, follower, followee) -> None:
    events.follow_changed(follower_id=follower.pk, followee_id=followee.pk, following=False)


def register_kinds() -> None:
    about_status = {"model": Status, "url": status_url, "refs": status_refs}
    about_comment = {
        "model": Comment,
        "url": comment_url,
        "refs": comment_refs,
        "related": ("status",),
    }
    register(
        "mention", label="mentioned you", icon="mention", excerpt=status_excerpt, **about_status
    )
    register(
        "mention",
        label="mentioned you",
        page_label="mentioned you in a comment",
        icon="mention",
        excerpt=comment_excerpt,
        **about_comment,
    )
    register(
        "comment",
        label="commented on your status",
        icon="comment",
        excerpt=comment_excerpt,
        **about_comment,
    )
    register(
        "reaction",
        label="reacted to your status",
        icon="reaction",
        grouped=True,
        excerpt=status_excerpt,
        **about_status,
    )
    profile_hooks.follow_created.connect(follow_changed)
    profile_hooks.follow_deleted.connect(unfollow_changed)

"""How the notifications feeds sends render (`notifications.registry`): mentions, comments and
reactions, about a status or a comment; and the live side of a follow (`profiles.hooks`)."""

from notifications.registry import Excerpt, register, register_readable
from profiles import hooks as profile_hooks
from profiles.models import Profile

from . import events
from .models import Comment, Status
from .permissions import readable_status_pairs, visible_q_for


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


def _readable_status_ids(user_id: int, status_ids: set[int]) -> set[int]:
    department_id = (
        Profile.objects.filter(user_id=user_id).values_list("department_id", flat=True).first()
    )
    return set(
        Status.objects.filter(visible_q_for(user_id, department_id), pk__in=status_ids).values_list(
            "pk", flat=True
        )
    )


def readable_statuses(user_id: int, statuses: list[Status]) -> set[int]:
    """A notification shows its status only while its recipient may read it (a community made
    private, a member removed): decided when it is shown."""
    return _readable_status_ids(user_id, {s.pk for s in statuses})


def readable_comments(user_id: int, comments: list[Comment]) -> set[int]:
    allowed = _readable_status_ids(user_id, {c.status_id for c in comments})
    return {c.pk for c in comments if c.status_id in allowed}


def readable_statuses_many(wanted: dict[int, list[Status]]) -> set[tuple[int, int]]:
    """`readable_statuses` for many recipients at once (a batch of emails or pushes)."""
    return readable_status_pairs(wanted)


def readable_comments_many(wanted: dict[int, list[Comment]]) -> set[tuple[int, int]]:
    # Comments are fetched with their status (`related`), so this costs what the statuses do.
    allowed = readable_status_pairs(
        {r: [c.status for c in comments] for r, comments in wanted.items()}
    )
    return {
        (r, c.pk) for r, comments in wanted.items() for c in comments if (r, c.status_id) in allowed
    }


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
    register_readable(Status, readable_statuses, many=readable_statuses_many)
    register_readable(Comment, readable_comments, many=readable_comments_many)
    profile_hooks.follow_created.connect(follow_changed)
    profile_hooks.follow_deleted.connect(unfollow_changed)

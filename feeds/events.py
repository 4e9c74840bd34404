"""What the stream says when something changes, and to whom. Called by feeds.services.

Audiences mirror the feed: a status goes to its author, to their followers (company posts) or
to its department (department posts), and to everyone when it is a pinned announcement.
Comments, reactions (and poll votes, feeds.polls) go to the status's author, the people in its
thread and the sockets watching it, among those who may read it (`audiences.counts_audience`).
"""

from core.realtime import Audience, broadcast_on_commit

from . import selectors
from .audiences import counts_audience, status_audience
from .models import Comment, ReactionKind, Status
from .serializers import CommentSerializer, StatusSerializer
from .versions import statuses_changed


def status_payload(status: Status, *, new_without_poll: bool = False) -> dict:
    """`new_without_poll`: the status was written in this transaction without a poll, so it has
    no reactions and no poll yet, and `decorate`'s queries would only confirm that; when its
    writer also left the author's profile and the names of its mentions and hashtags on it
    (services.status_create), it is not read back either."""
    if new_without_poll and _as_written(status):
        fresh = status
    else:
        fresh = selectors.status_base_qs().get(pk=status.pk)
    if new_without_poll:
        fresh.reaction_counts = {kind.value: 0 for kind in ReactionKind}
        fresh.my_reactions = []
        fresh.viewer_can_edit = False
        fresh.poll_data = None
        fresh.poll_ends_at = None
        fresh.attachment_list = getattr(status, "attachment_list", [])
    else:
        selectors.decorate([fresh], user=None)
    return StatusSerializer(fresh).data


def _as_written(status: Status) -> bool:
    """The new status holds all its card reads: the author's profile, the names of its mentions
    and hashtags, and no moderator."""
    return (
        hasattr(status, "mention_names")
        and hasattr(status, "hashtag_names")
        and status.removed_by_id is None
        and "profile" in status.author._state.fields_cache
    )


def status_changed(
    status: Status, *, created: bool = False, new_without_poll: bool = False
) -> None:
    """Also leaves the payload on `status.live_payload`: the API answers a new status without a
    poll with it (its author sees it as everyone does), instead of building it a second time."""
    kind = "status.created" if created else "status.updated"
    # Every change to a status goes through here: its cached card is stale (feeds.status_cache).
    statuses_changed([status.pk])
    payload = status_payload(status, new_without_poll=new_without_poll)
    status.live_payload = payload
    broadcast_on_commit({"type": kind, "status": payload}, status_audience(status))


def statuses_updated(status_ids: list[int]) -> None:
    """`status.updated` for many statuses at once (a retention batch): one read and one
    decoration for all of them instead of one each; their cached cards are stale too."""
    statuses_changed(status_ids)
    fresh = list(selectors.status_base_qs().filter(pk__in=status_ids))
    selectors.decorate(fresh, user=None)
    for status in fresh:
        payload = StatusSerializer(status).data
        broadcast_on_commit({"type": "status.updated", "status": payload}, status_audience(status))


def comment_created(comment: Comment) -> None:
    statuses_changed([comment.status_id])
    fresh = selectors.comments_for(status=comment.status).get(pk=comment.pk)
    fresh.attachment_list = getattr(comment, "attachment_list", None)
    broadcast_on_commit(
        {
            "type": "comment.created",
            "status_id": comment.status_id,
            "comment": CommentSerializer(fresh).data,
            "comment_count": comment.status.comment_count,
        },
        counts_audience(comment.status),
    )


def reaction_changed(status: Status) -> None:
    statuses_changed([status.pk])
    selectors.decorate([status], user=None)
    broadcast_on_commit(
        {
            "type": "reaction.changed",
            "status_id": status.pk,
            "reaction_counts": status.reaction_counts,
        },
        counts_audience(status),
    )


def follow_changed(*, follower_id: int, followee_id: int, following: bool) -> None:
    """Internal: the follower's open sockets start or stop hearing the followee's posts."""
    broadcast_on_commit(
        {"type": "_follow", "followee": followee_id, "following": following},
        Audience(user_ids=(follower_id,)),
    )

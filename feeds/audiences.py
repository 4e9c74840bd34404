"""Who hears about a status: its audience mirrors the feed. Used by events and polls.

Its counts (`comment.created`, `reaction.changed`, `poll.changed`) go only to those who look:
its author, the people in its thread and the sockets watching it, each only if the status's
readers include them when the event is sent (`counts_audience`). The thread is what the
notifications code treats as the status's thread: everyone it tells about the status or its
comments besides the author, that is, the people mentioned in the status or in one of its
comments (a comment notifies the status's author and whoever it mentions, a reaction the
author; `feeds.services`). Commenters and reactors are not in it: they hear counts while the
status is on their screen, like anyone else.

Resolved when the event is sent, from the community as it is now (re-read here, never taken
from a copy on the status), and routed by each process's hub from its sockets' memberships as
they are when the event arrives (a removed member's sockets leave the community's index on the
`community.membership` event that precedes any later post).
"""

from django.db.models import Subquery

from communities.models import Community
from core.realtime import Audience

from .models import Comment, Status, Visibility

# Bounds on the thread query, so that one reaction costs the same on any status: the people
# mentioned in the status (its 2,000 characters hold a few hundred at most) and in its latest
# THREAD_COMMENTS comments, at most THREAD_LIMIT people. Past that, they watch like anyone.
THREAD_COMMENTS = 500
THREAD_LIMIT = 500


def _community_is_open(status: Status) -> bool:
    return Community.objects.filter(pk=status.community_id, visibility="open").exists()


def status_audience(status: Status) -> Audience:
    if status.community_id is not None:
        if _community_is_open(status):
            # Its members, and the author's followers (anyone may read an open community).
            return Audience(community_id=status.community_id, followers_of=status.author_id)
        return Audience(community_id=status.community_id)
    if status.visibility == Visibility.DEPARTMENT:
        return Audience(user_ids=(status.author_id,), department_id=status.department_id)
    if status.is_announcement:
        return Audience(everyone=True)
    return Audience(user_ids=(status.author_id,), followers_of=status.author_id)


def readers_audience(status: Status) -> Audience:
    if status.community_id is not None:
        if _community_is_open(status):
            return Audience(everyone=True)
        return Audience(community_id=status.community_id)
    if status.visibility == Visibility.DEPARTMENT:
        return Audience(user_ids=(status.author_id,), department_id=status.department_id)
    return Audience(everyone=True)


def thread_user_ids(status: Status) -> list[int]:
    """The people in the status's thread (see the module's docstring), in one bounded query."""
    in_status = Status.mentions.through.objects.filter(status_id=status.pk).values_list(
        "user_id", flat=True
    )
    latest = Comment.objects.filter(status_id=status.pk).order_by("-created_at", "-id")
    in_comments = Comment.mentions.through.objects.filter(
        comment_id__in=Subquery(latest.values("pk")[:THREAD_COMMENTS])
    ).values_list("user_id", flat=True)
    return list(in_status.union(in_comments)[:THREAD_LIMIT])


def counts_audience(status: Status) -> Audience:
    """Its author, its thread and its watchers, among those who may read it now."""
    people = dict.fromkeys([status.author_id, *thread_user_ids(status)])
    return Audience(user_ids=tuple(people), watchers_of=status.pk, readers=readers_audience(status))

"""Who hears about a status: its audience mirrors the feed. Used by events and polls.

Resolved when the event is sent, from the community as it is now (re-read here, never taken
from a copy on the status), and routed by each process's hub from its sockets' memberships as
they are when the event arrives (a removed member's sockets leave the community's index on the
`community.membership` event that precedes any later post).
"""

from communities.models import Community
from core.realtime import Audience

from .models import Status, Visibility


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

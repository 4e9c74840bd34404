"""Live events about memberships: `community.membership` to the person concerned.

The stream's sockets also read it to start or stop routing the community's posts to that person
(feeds.consumers): removing a member stops their stream for the community on the next event,
without reconnecting. Published after commit, in order with every other event.
"""

from core.realtime import Audience, broadcast_many_on_commit, broadcast_on_commit

from .models import Community, Membership


def community_ref(community: Community) -> dict:
    return {"id": community.pk, "slug": community.slug, "name": community.name}


def membership_changed(membership: Membership) -> None:
    broadcast_on_commit(
        {
            "type": "community.membership",
            "community": community_ref(membership.community),
            "state": membership.state,
            "role": membership.role,
        },
        Audience(user_ids=(membership.user_id,)),
    )


def membership_removed(*, community: Community, user_id: int) -> None:
    broadcast_on_commit(
        {
            "type": "community.membership",
            "community": community_ref(community),
            "state": None,
            "role": None,
        },
        Audience(user_ids=(user_id,)),
    )


def memberships_added(*, community: Community, user_ids: list[int]) -> None:
    event = {
        "type": "community.membership",
        "community": community_ref(community),
        "state": "active",
        "role": "member",
    }
    broadcast_many_on_commit([(event, Audience(user_ids=(pk,))) for pk in user_ids])

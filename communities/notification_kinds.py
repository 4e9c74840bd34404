"""How community notifications render (`notifications.registry`)."""

from notifications.registry import Excerpt, register, register_readable

from .models import Community, Membership
from .permissions import can_see


def community_url(notification, community: Community) -> str:
    return f"/c/{community.slug}/"


def members_url(notification, community: Community) -> str:
    return f"/c/{community.slug}/members/?state=requested"


def community_excerpt(community: Community) -> Excerpt | None:
    return Excerpt(text=community.name)


def readable_communities(user_id: int, communities: list[Community]) -> set[int]:
    """A notification about a community shows it only while its recipient may know of it."""
    mine = {
        m.community_id: m
        for m in Membership.objects.filter(user_id=user_id, community__in=communities)
    }
    return {c.pk for c in communities if can_see(c, mine.get(c.pk))}


def readable_communities_many(wanted: dict[int, list[Community]]) -> set[tuple[int, int]]:
    """`readable_communities` for many recipients at once, in one query."""
    community_ids = {c.pk for communities in wanted.values() for c in communities}
    mine = {
        (m.user_id, m.community_id): m
        for m in Membership.objects.filter(user_id__in=list(wanted), community_id__in=community_ids)
    }
    return {
        (r, c.pk)
        for r, communities in wanted.items()
        for c in communities
        if can_see(c, mine.get((r, c.pk)))
    }


def register_kinds() -> None:
    about = {"model": Community, "url": community_url, "excerpt": community_excerpt}
    register("community_invite", label="invited you to a community", icon="follow", **about)
    register(
        "community_request",
        label="asked to join your community",
        icon="follow",
        model=Community,
        url=members_url,
        excerpt=community_excerpt,
    )
    register("community_approved", label="approved your request to join", icon="check", **about)
    register("community_joined", label="accepted your invitation", icon="check", **about)
    register("community_added", label="added you to a community", icon="follow", **about)
    register("community_role", label="changed your role in a community", icon="check", **about)
    register_readable(Community, readable_communities, many=readable_communities_many)

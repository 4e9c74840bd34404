"""Who may see, read and manage a community. Every page, API call, socket and notification that
touches a community asks here, from the community and membership as they are now."""

from django.conf import settings
from django.db.models import Q

from profiles.permissions import has_role, is_employee, is_moderator

from .models import Community, Membership, Visibility


def can_create(user) -> bool:
    """Any employee, unless `COMMUNITY_CREATORS` names the group that may."""
    group = getattr(settings, "COMMUNITY_CREATORS", "")
    if not is_employee(user):
        return False
    return not group or has_role(user, group) or user.is_superuser


def can_see(community: Community, membership: Membership | None) -> bool:
    """Whether its name, description and member count may be shown: a secret community only to
    its members and the people invited to it."""
    if community.visibility != Visibility.SECRET:
        return True
    return membership is not None and membership.state in ("active", "invited")


def can_read(community: Community, membership: Membership | None) -> bool:
    """Whether its posts and members may be read."""
    return community.visibility == Visibility.OPEN or (
        membership is not None and membership.is_active
    )


def can_post(community: Community, membership: Membership | None) -> bool:
    return membership is not None and membership.is_active


def can_manage(membership: Membership | None) -> bool:
    """Settings, members, pins and moderation in the community."""
    return membership is not None and membership.is_admin


def can_moderate_in(user, community: Community, membership: Membership | None) -> bool:
    return can_manage(membership) or is_moderator(user)


def readable_q(user_id: int) -> Q:
    """Communities this person may read: open ones and those they are an active member of.
    A query on `Community`, usable as a subquery with a slot for the id."""
    member = Membership.objects.filter(user_id=user_id, state="active").values("community_id")
    return Q(visibility=Visibility.OPEN) | Q(pk__in=member)


def visible_q(user_id: int) -> Q:
    """Communities this person may know of: all but the secret ones they are not in."""
    mine = Membership.objects.filter(user_id=user_id, state__in=("active", "invited")).values(
        "community_id"
    )
    return ~Q(visibility=Visibility.SECRET) | Q(pk__in=mine)

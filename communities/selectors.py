"""Reads of communities and memberships. A community the reader may not know of is a 404, the
same as one that does not exist."""

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from profiles.models import User

from .models import Community, Membership, Role, State
from .permissions import can_read, can_see, visible_q


def membership_of(*, user: User, community: Community) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(community=community, user_id=user.pk).first()


def community_get_for_user(*, user: User, slug: str) -> Community:
    """The community with `my_membership` attached, or 404 alike for missing and secret."""
    community = Community.objects.filter(slug=str(slug)[:50]).first()
    if community is None:
        raise Http404("No such community.")
    membership = membership_of(user=user, community=community)
    if not can_see(community, membership):
        raise Http404("No such community.")
    community.my_membership = membership
    return community


def community_get_readable(*, user: User, slug: str) -> Community:
    """The community if this person may read its posts and members; 404 otherwise (a private
    community's content is as absent to a non-member as a secret one's)."""
    community = community_get_for_user(user=user, slug=slug)
    if not can_read(community, community.my_membership):
        raise Http404("No such community.")
    return community


def communities_for(*, user: User, q: str = "", mine: bool = False) -> QuerySet[Community]:
    """Communities this person may know of, theirs first, then by name; `my_role`/`my_state`
    annotated. Secret ones only for their members and invitees."""
    own = Membership.objects.filter(community=OuterRef("pk"), user_id=user.pk)
    qs = Community.objects.filter(visible_q(user.pk)).annotate(
        is_mine=Exists(own.filter(state=State.ACTIVE)),
        my_role_value=own.values("role")[:1],
        my_state_value=own.values("state")[:1],
    )
    q = " ".join((q or "").split())[:100]
    for term in q.split():
        qs = qs.filter(Q(name__icontains=term) | Q(description__icontains=term))
    if mine:
        qs = qs.filter(is_mine=True)
    return qs.annotate(
        mine_first=Case(
            When(is_mine=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("mine_first", "name", "id")


def active_community_ids(*, user_id: int) -> list[int]:
    return list(
        Membership.objects.filter(user_id=user_id, state=State.ACTIVE).values_list(
            "community_id", flat=True
        )
    )


def members_of(*, community: Community, states: tuple[str, ...] = (State.ACTIVE,)) -> QuerySet:
    """Memberships with their people, owners and admins first."""
    order = Case(
        When(role=Role.OWNER, then=Value(0)),
        When(role=Role.ADMIN, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Membership.objects.filter(community=community, state__in=states, user__is_active=True)
        .select_related("user__profile__department")
        .annotate(rank=order)
        .order_by("rank", "user__username")
    )


def communities_of_profile(*, viewer: User, user: User) -> QuerySet[Community]:
    """The communities someone is an active member of that this viewer may know of."""
    return Community.objects.filter(
        visible_q(viewer.pk), memberships__user=user, memberships__state=State.ACTIVE
    ).order_by("name")

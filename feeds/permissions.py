"""Who may do what with statuses. Visibility itself is a query: see selectors.visible_q."""

from django.db.models import Q

from communities import permissions as community_permissions
from communities.models import Community, Membership
from communities.models import Visibility as CommunityVisibility
from profiles.models import Profile, User
from profiles.permissions import is_employee, is_executive, is_moderator

from .models import Visibility


def can_moderate(user) -> bool:
    """Company moderators: every status and comment."""
    return is_moderator(user)


def may_moderate_somewhere(user) -> bool:
    """Company moderators, and the owners and admins of a community: asked before the target is
    fetched, so that everyone else is refused alike (403) whatever the target."""
    if is_moderator(user):
        return True
    return (
        is_employee(user)
        and Membership.objects.filter(
            user_id=user.pk, state="active", role__in=("owner", "admin")
        ).exists()
    )


def can_moderate_status(user, status) -> bool:
    """Company moderators everywhere; a community's owners and admins in their community."""
    if is_moderator(user):
        return True
    if status.community_id is None or not is_employee(user):
        return False
    membership = Membership.objects.filter(
        community_id=status.community_id, user_id=user.pk
    ).first()
    return community_permissions.can_manage(membership)


def can_announce(user) -> bool:
    return is_executive(user) or is_moderator(user)


def can_edit_status(user, status) -> bool:
    return is_employee(user) and status.author_id == user.pk and not status.is_removed


def can_comment(user, status) -> bool:
    return is_employee(user) and not status.is_removed and not status.comments_locked


# --- Who may read a status (every read goes through these) ---------------------------------


def viewer_department_id(user: User) -> int | None:
    cached = getattr(user, "_es_department_id", False)
    if cached is False:
        cached = Profile.objects.filter(user=user).values_list("department_id", flat=True).first()
        user._es_department_id = cached
    return cached


def visible_q(user: User) -> Q:
    """Statuses this person may read: company posts, their own, their department's, and those
    of the communities they may read."""
    return visible_q_for(user.pk, viewer_department_id(user))


def visible_q_for(user_id: int, department_id: int | None) -> Q:
    """Outside communities: company posts, one's own, one's department's. In a community: what
    the community allows now (open, or an active member), the author included: someone removed
    from a private community no longer reads it, their own posts there too."""
    q = Q(visibility=Visibility.COMPANY) | Q(author_id=user_id)
    if department_id is not None:
        q |= Q(visibility=Visibility.DEPARTMENT, department_id=department_id)
    readable = Community.objects.filter(community_permissions.readable_q(user_id)).values("pk")
    return (Q(community__isnull=True) & q) | Q(community_id__in=readable)


def readers_among(status, users: list[User]) -> list[User]:
    """Of `users`, those who may read `status` now (one query at most)."""
    if not users:
        return users
    if status.community_id is not None:
        # Two queries at most; the community is re-read, not trusted from a loaded object.
        if Community.objects.filter(pk=status.community_id, visibility="open").exists():
            return users
        allowed = set(
            Membership.objects.filter(
                community_id=status.community_id,
                user_id__in=[u.pk for u in users],
                state="active",
            ).values_list("user_id", flat=True)
        )
        return [u for u in users if u.pk in allowed]
    if status.visibility == Visibility.COMPANY:
        return users
    department_of = dict(
        Profile.objects.filter(user__in=users).values_list("user_id", "department_id")
    )
    return [
        u
        for u in users
        if u.pk == status.author_id or department_of.get(u.pk) == status.department_id
    ]


def readable_status_pairs(wanted: dict[int, list]) -> set[tuple[int, int]]:
    """Of {reader id: statuses}, the (reader id, status id) pairs where the reader may read the
    status now, by the rules of `visible_q_for`, in three queries at most whatever the number of
    readers and statuses (a batch of emails or pushes to thousands of people). The statuses are
    taken as loaded (the caller has just read them); communities, memberships and departments
    are read now."""
    pairs = [(reader_id, status) for reader_id, statuses in wanted.items() for status in statuses]
    community_ids = {s.community_id for _, s in pairs if s.community_id is not None}
    open_ids: set[int] = set()
    members: set[tuple[int, int]] = set()
    if community_ids:
        open_ids = set(
            Community.objects.filter(
                pk__in=community_ids, visibility=CommunityVisibility.OPEN
            ).values_list("pk", flat=True)
        )
        closed = community_ids - open_ids
        readers = {r for r, s in pairs if s.community_id in closed}
        if closed and readers:
            members = set(
                Membership.objects.filter(
                    community_id__in=closed, user_id__in=readers, state="active"
                ).values_list("user_id", "community_id")
            )
    by_department = {
        r
        for r, s in pairs
        if s.community_id is None and s.visibility == Visibility.DEPARTMENT and s.author_id != r
    }
    department_of = (
        dict(
            Profile.objects.filter(user_id__in=by_department).values_list(
                "user_id", "department_id"
            )
        )
        if by_department
        else {}
    )
    allowed = set()
    for reader_id, status in pairs:
        if status.community_id is not None:
            ok = status.community_id in open_ids or (reader_id, status.community_id) in members
        else:
            department_id = department_of.get(reader_id)
            ok = (
                status.visibility == Visibility.COMPANY
                or status.author_id == reader_id
                or (
                    status.visibility == Visibility.DEPARTMENT
                    and department_id is not None
                    and status.department_id == department_id
                )
            )
        if ok:
            allowed.add((reader_id, status.pk))
    return allowed

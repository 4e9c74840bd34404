"""Reads of people, departments and follows. Each returns a queryset or raises Http404."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from .models import Department, Follow, Profile, User

# The longest management chain we walk; deeper than any real company, it stops a bad cycle.
MAX_CHAIN = 30


def profile_base_qs() -> QuerySet[Profile]:
    return Profile.objects.select_related("user", "department", "manager__user").filter(
        user__is_active=True
    )


def profile_list(*, q: str = "", department: str = "", skill: str = "") -> QuerySet[Profile]:
    """The directory: active people, searched by name, username, title or skill."""
    qs = profile_base_qs().prefetch_related("skills")
    terms = " ".join(q.split())[:100].split()
    if terms:
        matches = Profile.objects.all()
        for term in terms:
            matches = matches.filter(
                Q(display_name__icontains=term)
                | Q(user__username__icontains=term)
                | Q(title__icontains=term)
                | Q(skills__name__icontains=term)
            )
        # A subquery, because the skill join can repeat a person.
        qs = qs.filter(pk__in=matches.values("pk"))
    if department:
        qs = qs.filter(department__slug=department)
    if skill:
        qs = qs.filter(skills__slug=skill)
    return qs.order_by("display_name", "id")


def profile_get(*, username: str) -> Profile:
    """A person's profile, also once they have left: their content stays part of the company's
    record, so their page stays, marked `is_former` (docs/operations.md, "Leaver")."""
    profile = (
        Profile.objects.select_related("user", "department", "manager__user")
        .prefetch_related("skills")
        .annotate(
            followers_count=Count("user__follower_set", distinct=True),
            following_count=Count("user__following_set", distinct=True),
        )
        .filter(user__username=username)
        .first()
    )
    if profile is None:
        raise Http404("No such person.")
    profile.is_former = not profile.user.is_active
    return profile


def profile_with_follow_state(*, profile: Profile, viewer: User) -> Profile:
    profile.is_following = Follow.objects.filter(
        follower=viewer, followee_id=profile.user_id
    ).exists()
    return profile


def profiles_annotate_following(qs: QuerySet[Profile], *, viewer: User) -> QuerySet[Profile]:
    return qs.annotate(
        is_following=Exists(
            Follow.objects.filter(follower_id=viewer.pk, followee_id=OuterRef("user_id"))
        )
    )


def management_chain(*, profile: Profile) -> list[Profile]:
    """The managers above a person, nearest first, up to the top."""
    chain: list[Profile] = []
    seen = {profile.pk}
    current_id = profile.manager_id
    while current_id is not None and current_id not in seen and len(chain) < MAX_CHAIN:
        manager = profile_base_qs().filter(pk=current_id).first()
        if manager is None:
            break
        chain.append(manager)
        seen.add(manager.pk)
        current_id = manager.manager_id
    return chain


def direct_reports(*, profile: Profile) -> QuerySet[Profile]:
    return (
        profile_base_qs()
        .filter(manager=profile)
        .annotate(reports_count=Count("reports", filter=Q(reports__user__is_active=True)))
        .order_by("display_name", "id")
    )


def followers_of(*, user: User) -> QuerySet[Profile]:
    return (
        profile_base_qs().filter(user__following_set__followee=user).order_by("display_name", "id")
    )


def following_of(*, user: User) -> QuerySet[Profile]:
    return (
        profile_base_qs().filter(user__follower_set__follower=user).order_by("display_name", "id")
    )


def department_list() -> QuerySet[Department]:
    return Department.objects.annotate(
        member_count=Count("members", filter=Q(members__user__is_active=True))
    ).order_by("name", "id")


def user_get_active(*, username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise Http404("No such person.")
    return user


def profile_for_page(*, username: str, viewer: User) -> Profile:
    profile = profile_get(username=username)
    return profile_with_follow_state(profile=profile, viewer=viewer)


def colleagues_to_follow(*, viewer: User, limit: int = 6) -> QuerySet[Profile]:
    """People in the viewer's department (then anyone) whom the viewer does not follow yet."""
    me = Profile.objects.filter(user=viewer).only("department_id").first()
    qs = profile_base_qs().exclude(user=viewer).exclude(user__follower_set__follower=viewer)
    if me is not None and me.department_id:
        qs = qs.filter(department_id=me.department_id)
    return qs.order_by("display_name", "id")[:limit]

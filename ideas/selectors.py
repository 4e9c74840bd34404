"""Reads of ideas, their votes and their history."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from attachments.selectors import attachments_decorate
from core.ids import parse_id
from feeds.models import Comment
from profiles.models import Department, User
from profiles.permissions import is_moderator

from .models import PENDING_STATES, Idea, IdeaDecision, IdeaRevision, IdeaState, IdeaVote

SORTS = {
    "votes": ("-votes_count", "-id"),
    "activity": ("-last_activity_at", "-id"),
    "new": ("-created_at", "-id"),
}
# How long an idea with enough votes may wait for a decision before it is listed as
# "waiting for leadership" (the vote threshold is the IDEAS_REVIEW_VOTES setting).
WAITING_DAYS = 30


def idea_base_qs() -> QuerySet[Idea]:
    return Idea.objects.select_related(
        "author__profile__department",
        "department",
        "card",
        "card__removed_by__profile",
    ).prefetch_related("tags", Prefetch("mentions", queryset=User.objects.only("id", "username")))


def not_removed_q() -> Q:
    return Q(card__isnull=True) | Q(card__removal="")


def parse_department(value: str | int | None) -> Department | None:
    """A department by slug or id; None for empty. Raises Department.DoesNotExist."""
    value = str(value if value is not None else "").strip()
    if not value:
        return None
    if value.isdigit():
        pk = parse_id(value)
        if pk is None:
            raise Department.DoesNotExist
        return Department.objects.get(pk=pk)
    return Department.objects.get(slug=value)


def idea_list(
    *, sort: str = "votes", state: str = "", department: str = "", tag: str = ""
) -> QuerySet[Idea]:
    """Ideas everyone sees (not hidden or withdrawn), sorted for keyset pages. `department` is
    a slug or an id, `tag` a name (without #); unknown ones match nothing."""
    qs = idea_base_qs().filter(not_removed_q())
    if state:
        qs = qs.filter(state=state)
    if department:
        if str(department).isdigit():
            qs = qs.filter(department_id=parse_id(department) or 0)
        else:
            qs = qs.filter(department__slug=department)
    if tag:
        qs = qs.filter(tags__name=tag.lower().lstrip("#"))
    return qs.order_by(*SORTS.get(sort, SORTS["votes"]))


def ideas_waiting(*, now: datetime | None = None) -> QuerySet[Idea]:
    """Ideas with at least IDEAS_REVIEW_VOTES votes that have waited more than WAITING_DAYS in
    `open` or `under_review`: leadership owes them a decision. Longest waiting first."""
    since = (now or timezone.now()) - timedelta(days=WAITING_DAYS)
    return (
        idea_base_qs()
        .filter(not_removed_q())
        .filter(
            state__in=PENDING_STATES,
            votes_count__gte=settings.IDEAS_REVIEW_VOTES,
            state_changed_at__lt=since,
        )
        .order_by("state_changed_at", "id")
    )


def idea_get(*, idea_id: int | str) -> Idea:
    """Any idea by id, hidden and withdrawn ones included (as tombstones); 404 if missing."""
    try:
        idea_id = int(idea_id)
    except (TypeError, ValueError):
        raise Http404("No such idea.") from None
    idea = idea_base_qs().filter(pk=idea_id).first()
    if idea is None:
        raise Http404("No such idea.")
    return idea


def decorate(ideas: list[Idea], *, user: User | None) -> list[Idea]:
    """Add `has_voted`, `is_mine` and `decision` (the latest, or None): two queries a page.

    With `user=None` (a payload for many viewers) `has_voted` and `is_mine` are False."""
    ids = [i.pk for i in ideas]
    voted: set[int] = set()
    latest: dict[int, IdeaDecision] = {}
    if ids:
        if user is not None and user.is_authenticated:
            voted = set(
                IdeaVote.objects.filter(idea_id__in=ids, user=user).values_list(
                    "idea_id", flat=True
                )
            )
        decided = [i.pk for i in ideas if i.state != IdeaState.OPEN]
        if decided:
            for decision in (
                IdeaDecision.objects.filter(idea_id__in=decided)
                .select_related("decided_by__profile__department")
                .order_by("idea_id", "created_at", "id")
            ):
                latest[decision.idea_id] = decision
    for idea in ideas:
        idea.has_voted = idea.pk in voted
        idea.is_mine = user is not None and idea.author_id == user.pk
        idea.decision = latest.get(idea.pk)
    attachments_decorate(ideas)
    return ideas


def idea_readable(user: User, idea: Idea) -> bool:
    """attachments' access rule for an idea's files: every employee, unless it was removed
    (then moderators only)."""
    idea = idea_base_qs().filter(pk=idea.pk).first()
    if idea is None:
        return False
    return not idea.is_removed or is_moderator(user)


def idea_history(*, idea: Idea) -> QuerySet[IdeaDecision]:
    """Every state change, oldest first."""
    return (
        IdeaDecision.objects.filter(idea=idea)
        .select_related("decided_by__profile__department")
        .order_by("created_at", "id")
    )


def idea_revisions(*, idea: Idea) -> QuerySet[IdeaRevision]:
    return IdeaRevision.objects.filter(idea=idea).order_by("-written_at", "-id")


def idea_participants(*, idea: Idea) -> list[User]:
    """Who hears about a decision: the author, every voter and everyone who commented."""
    ids = {idea.author_id}
    ids.update(IdeaVote.objects.filter(idea=idea).values_list("user_id", flat=True))
    if idea.card_id is not None:
        ids.update(
            Comment.objects.filter(status_id=idea.card_id).values_list("author_id", flat=True)
        )
    return list(User.objects.filter(pk__in=ids, is_active=True).select_related("profile"))


def departments() -> QuerySet[Department]:
    return Department.objects.order_by("name")

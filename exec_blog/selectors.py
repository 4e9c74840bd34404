"""Reads of questions to leadership and of the executive blog."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from profiles.models import User

from .models import BlogImage, BlogPost, BlogPostRevision, Delegation, Question, QuestionVote

SORTS = {"votes": ("-votes_count", "-id"), "recent": ("-created_at", "-id")}


def question_base_qs() -> QuerySet[Question]:
    # The asker is joined for named questions; serializers and templates never show it for
    # anonymous ones (see QuestionSerializer.get_asker and exec_blog/_question.html).
    return Question.objects.select_related(
        "asker__profile__department",
        "answered_by__profile__department",
        "answer_posted_by__profile",
        "removed_by__profile",
        "merged_into",
    )


def question_list(*, sort: str = "votes", answered: bool | None = None) -> QuerySet[Question]:
    """Questions everyone sees: not hidden, not merged. Sorted for keyset pages."""
    qs = question_base_qs().filter(removal="", merged_into__isnull=True)
    if answered is True:
        qs = qs.filter(answered_at__isnull=False)
    elif answered is False:
        qs = qs.filter(answered_at__isnull=True)
    return qs.order_by(*SORTS.get(sort, SORTS["votes"]))


def question_get(*, question_id: int | str) -> Question:
    """Any question by id, hidden (a tombstone) and merged ones included; 404 if missing."""
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        raise Http404("No such question.") from None
    question = question_base_qs().filter(pk=question_id).first()
    if question is None:
        raise Http404("No such question.")
    return question


def decorate(questions: list[Question], *, user: User | None) -> list[Question]:
    """Add `has_voted` and `is_mine` for the viewer: one query for the page.

    With `user=None` (a payload for many viewers) both are False."""
    voted: set[int] = set()
    ids = [q.pk for q in questions]
    if user is not None and ids:
        voted = set(
            QuestionVote.objects.filter(question_id__in=ids, user=user).values_list(
                "question_id", flat=True
            )
        )
    for question in questions:
        question.has_voted = question.pk in voted
        question.is_mine = user is not None and question.asker_id == user.pk
    return questions


def parse_answered(value: str | None) -> bool | None:
    return {"true": True, "false": False}.get((value or "").lower())


# --- Executive blog ------------------------------------------------------------------------


def post_base_qs() -> QuerySet[BlogPost]:
    return BlogPost.objects.select_related(
        "author__profile__department", "posted_by__profile"
    ).prefetch_related("tags")


def _own_or_delegated_q(user: User, prefix: str = "") -> Q:
    """Posts the viewer writes: their own, and those of the executives who named them their
    delegate (read from the database now: a removed delegate sees nothing more)."""
    served = Delegation.objects.filter(delegate_id=user.pk).values("executive_id")
    return Q(**{f"{prefix}author_id": user.pk}) | Q(**{f"{prefix}author_id__in": served})


def live_q(now=None) -> Q:
    """Published and due: what everyone may read."""
    return Q(status=BlogPost.State.PUBLISHED, publish_at__lte=now or timezone.now())


def posts_visible_to(*, user: User) -> QuerySet[BlogPost]:
    """Live posts, plus the drafts and scheduled posts the viewer writes (their own, and for a
    delegate those of the executives they write for)."""
    if not getattr(user, "is_authenticated", False):
        return post_base_qs().filter(live_q())
    return post_base_qs().filter(live_q() | _own_or_delegated_q(user))


def posts_published() -> QuerySet[BlogPost]:
    """Everyone's list, newest first, keyset-paged on (publish_at, id)."""
    return post_base_qs().filter(live_q()).order_by("-publish_at", "-id")


def posts_unpublished_by(*, user: User) -> QuerySet[BlogPost]:
    """The drafts and scheduled posts the viewer writes: their own and, for a delegate, those of
    the executives they write for (only these people see them)."""
    return (
        post_base_qs()
        .filter(_own_or_delegated_q(user))
        .exclude(live_q())
        .order_by("-created_at", "-id")
    )


def post_get_for_user(*, user: User, slug: str) -> BlogPost:
    """The post, or 404 alike for missing, draft and not-yet-due."""
    post = posts_visible_to(user=user).filter(slug=slug).first()
    if post is None:
        raise Http404("No such post.")
    return post


def post_readable(user: User, post: BlogPost) -> bool:
    """attachments' access rule for a post's files: live, or the author's own draft."""
    return posts_visible_to(user=user).filter(pk=post.pk).exists()


def post_history(*, post: BlogPost) -> QuerySet[BlogPostRevision]:
    return BlogPostRevision.objects.filter(post=post).order_by("-written_at", "-id")


def image_get_for_user(*, user: User, image_id: int) -> BlogImage:
    """An image of a post the viewer may see, or 404 alike for missing, draft and not-yet-due."""
    image = (
        BlogImage.objects.filter(pk=image_id)
        .filter(
            Q(post__status=BlogPost.State.PUBLISHED, post__publish_at__lte=timezone.now())
            | _own_or_delegated_q(user, prefix="post__")
        )
        .first()
    )
    if image is None:
        raise Http404("No such image.")
    return image


def post_images(*, post: BlogPost) -> QuerySet[BlogImage]:
    return BlogImage.objects.filter(post=post).order_by("created_at", "id")

"""Reads: the exports Compliance sees, and what one export selects.

The selection, for custodians C, communities M, the days [start, end] and the terms of q:

- statuses and comments written by someone in C, or posted in a community of M (a comment:
  on a status in M), created in the range, whose text holds every term;
- every earlier version of each selected status (its whole history, whatever its date);
- blog posts written by someone in C, created in the range, with every earlier version;
- questions asked by someone in C under their name, created in the range, and questions
  answered by someone in C, answered in the range (an anonymous question is never selected
  by its asker: anonymity is a promise the product makes, docs/governance.md);
- the moderation actions on any selected status, comment or question, and those taken by
  someone in C in the range (their reason holding every term);
- the attachments of the selected statuses, comments and blog posts.

Statuses, comments, posts, questions and a custodian's moderation actions created after
`as_of` (when the build started) are not selected, so a build that takes minutes has one
boundary. What belongs to a selected item (its earlier versions, moderation, files) is taken
whenever it was made: a status edited during the build then has both its new text and, in
its history, the text it had at `as_of`.

Terms are matched as case-insensitive substrings, the same on SQLite and PostgreSQL: a
lawyer's list of terms is literal, so no stemming and no stop words (the feed's ranked search
would find "budgets" for "budget" on one database and not the other). A quoted phrase is one
term.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from attachments.models import Attachment
from exec_blog.models import BlogPost, BlogPostRevision, Question
from feeds.models import Comment, ModerationAction, Status, StatusRevision

from .models import ExportRequest
from .permissions import may_export

TERM = re.compile(r'"([^"]+)"|(\S+)')


def exports_for(*, user) -> QuerySet[ExportRequest]:
    """Every export, newest first: Compliance works as a team on a matter."""
    if not may_export(user):
        raise PermissionDenied("Only Compliance sees eDiscovery exports.")
    return ExportRequest.objects.order_by("-created_at", "-id")


def export_get_for_user(*, user, export_id: int) -> ExportRequest:
    """403 before any lookup for everyone but Compliance (nothing is revealed), then 404."""
    qs = exports_for(user=user)
    try:
        return qs.get(pk=export_id)
    except ExportRequest.DoesNotExist:
        raise Http404("No such export.") from None


def terms_of(q: str) -> list[str]:
    found = ((quoted or bare).strip() for quoted, bare in TERM.findall(q))
    return [term for term in found if term]


@dataclass(frozen=True)
class Scope:
    custodians: tuple[int, ...]
    communities: tuple[int, ...]
    since: datetime
    until: datetime  # exclusive
    as_of: datetime
    terms: tuple[str, ...]


def scope_of(export: ExportRequest, *, as_of: datetime) -> Scope:
    zone = timezone.get_current_timezone()
    since = datetime.combine(export.start, time.min, tzinfo=zone)
    until = datetime.combine(export.end + timedelta(days=1), time.min, tzinfo=zone)
    return Scope(
        custodians=tuple(c["id"] for c in export.custodians),
        communities=tuple(c["id"] for c in export.communities),
        since=since,
        until=min(until, as_of),
        as_of=as_of,
        terms=tuple(terms_of(export.q)),
    )


def _text(scope: Scope, *fields: str) -> Q:
    """Every term in at least one of `fields`."""
    match = Q()
    for term in scope.terms:
        either = Q()
        for field in fields:
            either |= Q(**{f"{field}__icontains": term})
        match &= either
    return match


def _during(scope: Scope, field: str = "created_at") -> Q:
    return Q(**{f"{field}__gte": scope.since, f"{field}__lt": scope.until})


def _statuses(scope: Scope) -> QuerySet[Status]:
    who = Q(author_id__in=scope.custodians) | Q(community_id__in=scope.communities)
    return Status.objects.filter(who, _during(scope), _text(scope, "body"))


def _comments(scope: Scope) -> QuerySet[Comment]:
    who = Q(author_id__in=scope.custodians) | Q(status__community_id__in=scope.communities)
    return Comment.objects.filter(who, _during(scope), _text(scope, "body"))


def _blog_posts(scope: Scope) -> QuerySet[BlogPost]:
    # A delegate's records include what they posted on an executive's behalf.
    return BlogPost.objects.filter(
        Q(author_id__in=scope.custodians) | Q(posted_by_id__in=scope.custodians),
        _during(scope),
        _text(scope, "title", "summary", "body"),
    )


def _questions(scope: Scope) -> QuerySet[Question]:
    asked = Q(asker_id__in=scope.custodians, anonymous=False) & _during(scope)
    answered = (
        Q(answered_by_id__in=scope.custodians) | Q(answer_posted_by_id__in=scope.custodians)
    ) & _during(scope, "answered_at")
    return Question.objects.filter(asked | answered, _text(scope, "body", "answer_body"))


def _ids(qs: QuerySet) -> QuerySet:
    return qs.order_by().values("pk")


def statuses(scope: Scope) -> QuerySet[Status]:
    return (
        _statuses(scope)
        .select_related("author", "community", "department", "removed_by", "announced_by")
        .order_by("created_at", "id")
    )


def status_revisions(scope: Scope) -> QuerySet[StatusRevision]:
    return (
        StatusRevision.objects.filter(status__in=_ids(_statuses(scope)))
        .select_related("status")
        .order_by("status_id", "written_at", "id")
    )


def comments(scope: Scope) -> QuerySet[Comment]:
    return (
        _comments(scope)
        .select_related("author", "status", "status__community", "removed_by")
        .order_by("created_at", "id")
    )


def blog_posts(scope: Scope) -> QuerySet[BlogPost]:
    return (
        _blog_posts(scope)
        .select_related("author", "posted_by", "card")
        .order_by("created_at", "id")
    )


def blog_post_revisions(scope: Scope) -> QuerySet[BlogPostRevision]:
    return (
        BlogPostRevision.objects.filter(post__in=_ids(_blog_posts(scope)))
        .select_related("post")
        .order_by("post_id", "written_at", "id")
    )


def questions(scope: Scope) -> QuerySet[Question]:
    return (
        _questions(scope)
        .select_related("asker", "answered_by", "answer_posted_by", "removed_by")
        .order_by("created_at", "id")
    )


def moderation_actions(scope: Scope) -> QuerySet[ModerationAction]:
    question_type = ContentType.objects.get_for_model(Question)
    about = (
        Q(status__in=_ids(_statuses(scope)))
        | Q(comment__in=_ids(_comments(scope)))
        | Q(target_type=question_type, target_id__in=_ids(_questions(scope)))
    )
    by = Q(moderator_id__in=scope.custodians) & _during(scope) & _text(scope, "reason")
    return (
        ModerationAction.objects.filter(about | by)
        .select_related("moderator", "target_type")
        .order_by("created_at", "id")
    )


def attachments(scope: Scope) -> QuerySet[Attachment]:
    owners = Q()
    for model, qs in (
        (Status, _statuses(scope)),
        (Comment, _comments(scope)),
        (BlogPost, _blog_posts(scope)),
    ):
        owners |= Q(owner_type=ContentType.objects.get_for_model(model), owner_id__in=_ids(qs))
    return (
        Attachment.objects.filter(owners)
        .select_related("owner_type", "uploader", "removed_by")
        .order_by("id")
    )

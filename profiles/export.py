"""A person's own data as JSON (`GET /api/v1/me/export/`): their account and profile, everything
they wrote and everything they did that the product records about them by name.

Only the person themselves can download it. It holds their own anonymous questions (they asked
them) and none of anyone else's words beyond the ids of what they reacted to or answered.
What is kept, and for how long, is in docs/security.md ("Personal data").
"""

from django.utils import timezone

from engagement.models import ActivityEvent
from exec_blog.models import BlogPost, Question, QuestionVote
from feeds.models import Comment, PollVote, Reaction, Report, Status, StatusRevision
from ideas.models import Idea, IdeaVote

from .models import Follow, Profile, User

FORMAT_VERSION = 1


REMOVAL = ("removal", "removal_reason")  # set when a moderator hid it, with the public reason


def _rows(queryset, order: str, *fields: str) -> list[dict]:
    return list(queryset.order_by(order, "id").values(*fields))


def personal_export(*, user: User) -> dict:
    profile = (
        Profile.objects.select_related("department", "manager__user")
        .prefetch_related("skills")
        .filter(user=user)
        .first()
    )
    revisions: dict[int, list[dict]] = {}
    for revision in StatusRevision.objects.filter(status__author=user).order_by("written_at"):
        revisions.setdefault(revision.status_id, []).append(
            {
                "body": revision.body,
                "written_at": revision.written_at,
                "replaced_at": revision.replaced_at,
            }
        )
    return {
        "format": FORMAT_VERSION,
        "exported_at": timezone.now(),
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "is_active": user.is_active,
        },
        "profile": None
        if profile is None
        else {
            "display_name": profile.display_name,
            "title": profile.title,
            "department": profile.department.name if profile.department else None,
            "manager": profile.manager.user.username if profile.manager else None,
            "location": profile.location,
            "pronouns": profile.pronouns,
            "bio": profile.bio,
            "skills": [skill.name for skill in profile.skills.all()],
            "has_picture": bool(profile.avatar),
            "created_at": profile.created_at,
            "updated_at": profile.updated_at,
        },
        "following": _rows(
            Follow.objects.filter(follower=user), "created_at", "followee__username", "created_at"
        ),
        "statuses": [
            {**status, "earlier_versions": revisions.get(status["id"], [])}
            for status in _rows(
                Status.objects.filter(author=user),
                "created_at",
                *("id", "body", "visibility", "created_at", "edited_at", "is_announcement"),
                *REMOVAL,
            )
        ],
        "comments": _rows(
            Comment.objects.filter(author=user),
            "created_at",
            *("id", "status_id", "body", "created_at"),
            *REMOVAL,
        ),
        "reactions": _rows(
            Reaction.objects.filter(user=user), "created_at", "status_id", "kind", "created_at"
        ),
        # Anonymous polls store no choice (docs/api.md), so only named votes can be listed.
        "poll_votes": _rows(
            PollVote.objects.filter(user=user),
            "created_at",
            "option__poll__status_id",
            "option__label",
            "created_at",
        ),
        "questions": _rows(
            Question.objects.filter(asker=user),
            "created_at",
            "id",
            "body",
            "anonymous",
            "created_at",
            "answer_body",
            "answered_at",
        ),
        "question_votes": _rows(
            QuestionVote.objects.filter(user=user), "created_at", "question_id", "created_at"
        ),
        "answers": _rows(
            Question.objects.filter(answered_by=user),
            "answered_at",
            "id",
            "answer_body",
            "answered_at",
        ),
        "blog_posts": _rows(
            BlogPost.objects.filter(author=user),
            "created_at",
            "title",
            "slug",
            "summary",
            "body",
            "status",
            "publish_at",
            "created_at",
        ),
        "ideas": _rows(
            Idea.objects.filter(author=user),
            "created_at",
            "id",
            "title",
            "description",
            "state",
            "created_at",
            "edited_at",
        ),
        "idea_votes": _rows(
            IdeaVote.objects.filter(user=user), "created_at", "idea_id", "created_at"
        ),
        "reports_filed": _rows(
            Report.objects.filter(reporter=user),
            "created_at",
            "status_id",
            "comment_id",
            "reason",
            "created_at",
            "resolved_at",
        ),
        # What the engagement record holds by name; reports only ever show groups of 5 or more.
        "activity": _rows(
            ActivityEvent.objects.filter(actor=user), "occurred_at", "kind", "occurred_at"
        ),
    }

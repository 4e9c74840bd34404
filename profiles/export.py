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


def _removal(obj) -> dict:
    return {"removal": obj.removal, "removal_reason": obj.removal_reason}


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
        "following": list(
            Follow.objects.filter(follower=user)
            .order_by("created_at")
            .values("followee__username", "created_at")
        ),
        "statuses": [
            {
                "id": status.pk,
                "body": status.body,
                "visibility": status.visibility,
                "created_at": status.created_at,
                "edited_at": status.edited_at,
                "is_announcement": status.is_announcement,
                "earlier_versions": revisions.get(status.pk, []),
                **_removal(status),
            }
            for status in Status.objects.filter(author=user).order_by("created_at", "id")
        ],
        "comments": [
            {
                "id": comment.pk,
                "status_id": comment.status_id,
                "body": comment.body,
                "created_at": comment.created_at,
                **_removal(comment),
            }
            for comment in Comment.objects.filter(author=user).order_by("created_at", "id")
        ],
        "reactions": list(
            Reaction.objects.filter(user=user)
            .order_by("created_at")
            .values("status_id", "kind", "created_at")
        ),
        # Anonymous polls store no choice (docs/api.md), so only named votes can be listed.
        "poll_votes": list(
            PollVote.objects.filter(user=user)
            .order_by("created_at")
            .values("option__poll__status_id", "option__label", "created_at")
        ),
        "questions": list(
            Question.objects.filter(asker=user)
            .order_by("created_at")
            .values("id", "body", "anonymous", "created_at", "answer_body", "answered_at")
        ),
        "question_votes": list(
            QuestionVote.objects.filter(user=user)
            .order_by("created_at")
            .values("question_id", "created_at")
        ),
        "answers": list(
            Question.objects.filter(answered_by=user)
            .order_by("answered_at")
            .values("id", "answer_body", "answered_at")
        ),
        "blog_posts": list(
            BlogPost.objects.filter(author=user)
            .order_by("created_at")
            .values("title", "slug", "summary", "body", "status", "publish_at", "created_at")
        ),
        "ideas": list(
            Idea.objects.filter(author=user)
            .order_by("created_at")
            .values("id", "title", "description", "state", "created_at", "edited_at")
        ),
        "idea_votes": list(
            IdeaVote.objects.filter(user=user)
            .order_by("created_at")
            .values("idea_id", "created_at")
        ),
        "reports_filed": list(
            Report.objects.filter(reporter=user)
            .order_by("created_at")
            .values("status_id", "comment_id", "reason", "created_at", "resolved_at")
        ),
        # What the engagement record holds by name; reports only ever show groups of 5 or more.
        "activity": list(
            ActivityEvent.objects.filter(actor=user)
            .order_by("occurred_at")
            .values("kind", "occurred_at")
        ),
    }

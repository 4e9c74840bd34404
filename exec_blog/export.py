"""exec_blog's sections of a person's data export (profiles.export, registered in ready)."""

from django.db.models import Q

from profiles.export import register_section, rows
from profiles.models import User

from .models import BlogPost, Delegation, Question, QuestionVote


def questions(user: User) -> list[dict]:
    return rows(
        Question.objects.filter(asker=user),
        "created_at",
        *("id", "body", "anonymous", "created_at", "answer_body", "answered_at"),
    )


def question_votes(user: User) -> list[dict]:
    return rows(QuestionVote.objects.filter(user=user), "created_at", "question_id", "created_at")


def answers(user: User) -> list[dict]:
    return rows(
        Question.objects.filter(answered_by=user),
        "answered_at",
        *("id", "answer_body", "answered_at"),
    )


def blog_posts(user: User) -> list[dict]:
    return rows(
        BlogPost.objects.filter(author=user),
        "created_at",
        *("title", "slug", "summary", "body", "status", "publish_at", "created_at"),
        "posted_by__username",
    )


def posted_as_delegate(user: User) -> list[dict]:
    """What the person posted on an executive's behalf (docs/governance.md, "Delegates")."""
    posts = rows(
        BlogPost.objects.filter(posted_by=user),
        "created_at",
        *("title", "slug", "status", "publish_at", "created_at", "author__username"),
    )
    answers = rows(
        Question.objects.filter(answer_posted_by=user),
        "answered_at",
        *("id", "answer_body", "answered_at", "answered_by__username"),
    )
    return [{"kind": "blog_post", **p} for p in posts] + [{"kind": "answer", **a} for a in answers]


def delegations(user: User) -> list[dict]:
    return rows(
        Delegation.objects.filter(Q(executive=user) | Q(delegate=user)),
        "created_at",
        *("executive__username", "delegate__username", "created_at"),
    )


def register() -> None:
    for build in (
        questions,
        question_votes,
        answers,
        blog_posts,
        posted_as_delegate,
        delegations,
    ):
        register_section(build.__name__, build)

"""exec_blog's sections of a person's data export (profiles.export, registered in ready)."""

from profiles.export import register_section, rows
from profiles.models import User

from .models import BlogPost, Question, QuestionVote


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
    )


def register() -> None:
    for build in (questions, question_votes, answers, blog_posts):
        register_section(build.__name__, build)

"""How the notifications exec_blog sends render (`notifications.registry`): answers to
questions and new blog posts."""

from feeds.notification_kinds import status_excerpt
from notifications.registry import Excerpt, register

from .models import BlogPost, Question


def answer_text(notification, question: Question) -> str | None:
    # Everyone but the asker was notified because they voted; the actor is the executive, so
    # nothing here says who asked an anonymous question.
    if question.asker_id != notification.recipient_id:
        return "answered a question you voted for"
    return None


def question_url(notification, question: Question) -> str:
    return f"/ask/{question.pk}/"


def question_excerpt(question: Question) -> Excerpt:
    if question.is_removed:
        return Excerpt(note="(hidden)")
    return Excerpt(text=question.body)


def post_url(notification, post: BlogPost) -> str:
    return post.get_absolute_url()


def post_refs(post: BlogPost) -> dict:
    # The post's card: its reactions and comments are the card's.
    return {"status_id": post.card_id}


def post_excerpt(post: BlogPost) -> Excerpt | None:
    return status_excerpt(post.card)


def register_kinds() -> None:
    register(
        "answer",
        label="answered your question",
        icon="check",
        model=Question,
        text=answer_text,
        url=question_url,
        refs=lambda question: {"question_id": question.pk},
        excerpt=question_excerpt,
    )
    register(
        "blog",
        label="published a post",
        icon="check",
        model=BlogPost,
        url=post_url,
        refs=post_refs,
        excerpt=post_excerpt,
        related=("card",),
    )

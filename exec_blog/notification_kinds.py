"""How the notifications exec_blog sends render (`notifications.registry`): answers to
questions, new blog posts, and to an executive, what their delegates did for them."""

from feeds.notification_kinds import status_excerpt
from notifications.registry import Excerpt, register

from .models import BlogPost, Question, on_behalf_label


def _on_behalf(posted_by, author) -> str:
    label = on_behalf_label(posted_by=posted_by, author=author)
    return f" ({label})" if label else ""


def answer_text(notification, question: Question) -> str | None:
    # Everyone but the asker was notified because they voted; the actor is the executive, so
    # nothing here says who asked an anonymous question.
    suffix = _on_behalf(question.answer_posted_by, question.answered_by)
    if question.asker_id != notification.recipient_id:
        return "answered a question you voted for" + suffix
    return "answered your question" + suffix if suffix else None


def post_text(notification, post: BlogPost) -> str | None:
    suffix = _on_behalf(post.posted_by, post.author)
    return "published a post" + suffix if suffix else None


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


DELEGATE_POST_LABELS = {
    "delegate_draft": "drafted a blog post on your behalf",
    "delegate_edit": "edited your blog post on your behalf",
    "delegate_schedule": "scheduled your blog post on your behalf",
    "delegate_publish": "published a blog post on your behalf",
}
DELEGATE_ANSWER_LABELS = {
    "delegate_answer": "answered a question on your behalf",
    "delegate_answer_edit": "edited your answer to a question on your behalf",
}


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
        related=("answered_by__profile", "answer_posted_by__profile"),
    )
    register(
        "blog",
        label="published a post",
        icon="check",
        model=BlogPost,
        text=post_text,
        url=post_url,
        refs=post_refs,
        excerpt=post_excerpt,
        related=("card", "author__profile", "posted_by__profile"),
    )
    # To an executive: what a delegate did in their name (delegates.ACTION_KINDS).
    for kind, label in DELEGATE_POST_LABELS.items():
        register(
            kind,
            label=label,
            icon="check",
            model=BlogPost,
            url=post_url,
            refs=post_refs,
            excerpt=lambda post: Excerpt(text=post.title),
        )
    for kind, label in DELEGATE_ANSWER_LABELS.items():
        register(
            kind,
            label=label,
            icon="check",
            model=Question,
            url=question_url,
            refs=lambda question: {"question_id": question.pk},
            excerpt=question_excerpt,
        )

"""What the stream says when a question changes. Called by exec_blog.services."""

from core.realtime import Audience, broadcast_on_commit

from . import selectors
from .models import Question
from .serializers import BlogPostSerializer, QuestionSerializer


def question_payload(question: Question) -> dict:
    """The API's question, as any colleague sees it (never the asker of an anonymous one)."""
    fresh = selectors.question_base_qs().get(pk=question.pk)
    selectors.decorate([fresh], user=None)
    return QuestionSerializer(fresh).data


def question_answered(question: Question) -> None:
    broadcast_on_commit(
        {"type": "question.answered", "question": question_payload(question)},
        Audience(everyone=True),
    )


def post_payload(post) -> dict:

    return BlogPostSerializer(selectors.post_base_qs().get(pk=post.pk)).data


def blog_published(post) -> None:
    broadcast_on_commit(
        {"type": "blog.published", "post": post_payload(post)}, Audience(everyone=True)
    )

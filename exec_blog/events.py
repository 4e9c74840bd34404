"""What the stream says when a question changes. Called by exec_blog.services."""

from core.realtime import Audience, broadcast_on_commit

from .models import Question


def question_payload(question: Question) -> dict:
    """The API's question, as any colleague sees it (never the asker of an anonymous one)."""
    from . import selectors
    from .api import QuestionSerializer

    fresh = selectors.question_base_qs().get(pk=question.pk)
    selectors.decorate([fresh], user=None)
    return QuestionSerializer(fresh).data


def question_answered(question: Question) -> None:
    broadcast_on_commit(
        {"type": "question.answered", "question": question_payload(question)},
        Audience(everyone=True),
    )


def post_payload(post) -> dict:
    from . import selectors
    from .api import BlogPostSerializer

    return BlogPostSerializer(selectors.post_base_qs().get(pk=post.pk)).data


def blog_published(post) -> None:
    broadcast_on_commit(
        {"type": "blog.published", "post": post_payload(post)}, Audience(everyone=True)
    )

"""webhooks' receivers of the content apps' hooks (connected in apps.py): each records the
event once the app's transaction commits (services.event_on_commit)."""

from .models import (
    BLOG_PUBLISHED,
    COMMUNITY_CREATED,
    IDEA_DECIDED,
    QUESTION_ANSWERED,
    STATUS_CREATED,
)
from .services import event_on_commit


def status_created(*, status) -> None:
    event_on_commit(STATUS_CREATED, status.pk)


def blog_published(*, post) -> None:
    event_on_commit(BLOG_PUBLISHED, post.pk)


def question_answered(*, question) -> None:
    event_on_commit(QUESTION_ANSWERED, question.pk)


def idea_decided(*, idea, decision) -> None:
    event_on_commit(IDEA_DECIDED, idea.pk)


def community_created(*, community) -> None:
    event_on_commit(COMMUNITY_CREATED, community.pk)

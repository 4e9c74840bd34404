"""What each event type says, and whether an endpoint may be told it.

The `data` of an event is the API's object as any colleague sees it (the same payload as the
live event of the stream: never the asker of an anonymous question, no viewer's fields). Who
may hear it is decided twice from the state of the moment: when the delivery is made, and again
just before each attempt (a status removed or a community made secret in between is never
sent).

- A subscription without a community hears what the whole company sees: company-wide statuses
  and those of open communities (never a department's, a private or a secret community's),
  posts published, questions answered, ideas decided, open and private communities created.
- A subscription bound to a community (open or private, never secret) hears that community's
  statuses only.
"""

from datetime import UTC, datetime

from django.utils import timezone

from communities.models import Community
from communities.models import Visibility as CommunityVisibility
from communities.serializers import CommunitySerializer
from exec_blog.events import post_payload, question_payload
from exec_blog.models import BlogPost, Question
from feeds.events import status_payload
from feeds.models import Status, Visibility
from ideas.events import idea_payload
from ideas.models import Idea

from .models import (
    BLOG_PUBLISHED,
    COMMUNITY_CREATED,
    IDEA_DECIDED,
    QUESTION_ANSWERED,
    STATUS_CREATED,
    WebhookEndpoint,
)


def load(event_type: str, object_id: int):
    """The object an event is about, or None when it is gone."""
    if event_type == STATUS_CREATED:
        return Status.objects.select_related("community").filter(pk=object_id).first()
    if event_type == BLOG_PUBLISHED:
        return BlogPost.objects.filter(pk=object_id).first()
    if event_type == QUESTION_ANSWERED:
        return Question.objects.filter(pk=object_id).first()
    if event_type == IDEA_DECIDED:
        return Idea.objects.select_related("card").filter(pk=object_id).first()
    if event_type == COMMUNITY_CREATED:
        return Community.objects.filter(pk=object_id).first()
    return None


def _status_may_be_told(status: Status, endpoint: WebhookEndpoint) -> bool:
    if status.is_removed or status.visibility != Visibility.COMPANY:
        return False
    if status.created_at > timezone.now():
        return False
    if status.community_id is None:
        return endpoint.community_id is None
    if endpoint.community_id is None:
        return status.community.visibility == CommunityVisibility.OPEN
    return (
        endpoint.community_id == status.community_id
        and status.community.visibility != CommunityVisibility.SECRET
    )


def may_be_told(event_type: str, obj, endpoint: WebhookEndpoint) -> bool:
    """Whether `endpoint` may hear about `obj` now."""
    if obj is None or event_type not in endpoint.events:
        return False
    if event_type == STATUS_CREATED:
        return _status_may_be_told(obj, endpoint)
    if endpoint.community_id is not None:
        return False  # company-wide events go to company-wide subscriptions only
    if event_type == BLOG_PUBLISHED:
        return obj.is_live
    if event_type == QUESTION_ANSWERED:
        return obj.is_answered and not obj.is_removed and obj.merged_into_id is None
    if event_type == IDEA_DECIDED:
        return not obj.is_removed
    if event_type == COMMUNITY_CREATED:
        return obj.visibility != CommunityVisibility.SECRET
    return False


def data(event_type: str, obj) -> dict:
    if event_type == STATUS_CREATED:
        return {"status": status_payload(obj)}
    if event_type == BLOG_PUBLISHED:
        return {"post": post_payload(obj)}
    if event_type == QUESTION_ANSWERED:
        return {"question": question_payload(obj)}
    if event_type == IDEA_DECIDED:
        return {"idea": idea_payload(obj)}
    if event_type == COMMUNITY_CREATED:
        return {"community": CommunitySerializer(obj).data}
    raise ValueError(event_type)


def message(event_type: str, obj, *, at: datetime) -> dict:
    """The body of a delivery: `{"type", "timestamp", "data"}` (Standard Webhooks' shape)."""
    return {
        "type": event_type,
        "timestamp": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": data(event_type, obj),
    }

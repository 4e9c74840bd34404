"""What the stream says when an idea changes. Called by ideas.services.

Ideas are company-wide, so `idea.updated` goes to everyone, like `question.answered`.
"""

from core.realtime import Audience, broadcast_on_commit

from . import selectors
from .models import Idea
from .serializers import IdeaSerializer


def idea_payload(idea: Idea) -> dict:
    """The API's idea as any colleague sees it (`has_voted` and `is_mine` false)."""
    fresh = selectors.idea_base_qs().get(pk=idea.pk)
    selectors.decorate([fresh], user=None)
    return IdeaSerializer(fresh).data


def idea_updated(idea: Idea) -> None:
    broadcast_on_commit(
        {"type": "idea.updated", "idea": idea_payload(idea)}, Audience(everyone=True)
    )

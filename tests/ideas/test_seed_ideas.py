"""`seed_demo`: ideas in every state, with votes, comments and decisions, stored as the
services do, and nothing new on a second run."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from rest_framework.test import APIClient

from activity.models import ActivityEvent
from demo.seeding.data.ideas import IDEAS
from feeds.models import Comment
from ideas import selectors
from ideas.models import TRANSITIONS, Idea, IdeaDecision, IdeaState, IdeaVote
from notifications.models import Notification
from profiles.models import User
from tests.conftest import seeded_module

pytestmark = pytest.mark.django_db


OPTIONS = {"employees": 40, "statuses": 20}
seeded = seeded_module("seeded", **OPTIONS)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", **OPTIONS, stdout=out, stderr=StringIO())
    return out.getvalue()


def client_for(username: str) -> APIClient:
    client = APIClient()
    client.force_login(User.objects.get(username=username))
    return client


def counts() -> dict[str, int]:
    models = (Idea, IdeaVote, IdeaDecision, Comment, Notification, ActivityEvent)
    return {model.__name__: model.objects.count() for model in models}


def test_ideas_in_every_state_with_votes_comments_and_reasons(seeded):
    assert f"Ideas ready: {len(IDEAS)} ideas" in seeded
    assert set(Idea.objects.values_list("state", flat=True)) == set(IdeaState.values)
    response = client_for("alice").get("/api/v1/ideas/?page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) == len(IDEAS)
    now = timezone.now()
    for idea in Idea.objects.annotate(n=Count("votes")):
        assert idea.votes_count == idea.n >= 1
        assert not idea.votes.filter(user=idea.author).exists()
        assert not idea.votes.filter(created_at__lt=idea.created_at).exists()
        assert idea.card.created_at == idea.created_at <= idea.last_activity_at <= now
        assert not idea.card.comments.filter(created_at__lt=idea.created_at).exists()
        history = list(idea.decisions.order_by("created_at", "id"))
        state = IdeaState.OPEN
        for decision in history:
            assert decision.from_state == state and decision.to_state in TRANSITIONS[state]
            assert decision.decided_by.groups.filter(name="Executives").exists()
            assert decision.reason and decision.created_at > idea.created_at
            state = decision.to_state
        assert idea.state == state
    assert Comment.objects.filter(status__idea__isnull=False).count() >= 10


def test_decisions_notify_and_record_hours(seeded):
    decided = Idea.objects.exclude(state=IdeaState.OPEN)
    for idea in decided:
        assert Notification.objects.about(idea).filter(kind="idea", recipient=idea.author).exists()
    events = ActivityEvent.objects.filter(kind="idea_decision")
    assert events.count() == IdeaDecision.objects.count()
    for event in events:
        assert IdeaDecision.objects.filter(idea_id=event.object_id).exists()
        # Hours only on decisions: accepted or declined, from open or under review.
        first = (
            IdeaDecision.objects.filter(
                idea_id=event.object_id, to_state__in=[IdeaState.ACCEPTED, IdeaState.DECLINED]
            )
            .order_by("created_at")
            .first()
        )
        if event.value is not None:
            assert event.value >= 0
            assert first is not None and first.created_at == event.occurred_at
    decisions = IdeaDecision.objects.filter(
        to_state__in=[IdeaState.ACCEPTED, IdeaState.DECLINED],
        from_state__in=[IdeaState.OPEN, IdeaState.UNDER_REVIEW],
    )
    assert events.exclude(value=None).count() == decisions.count()
    assert ActivityEvent.objects.filter(kind="idea_vote").count() == IdeaVote.objects.count()
    assert ActivityEvent.objects.filter(kind="idea").count() == len(IDEAS)


def test_one_idea_waits_for_leadership(seeded, settings):
    settings.IDEAS_REVIEW_VOTES = 5
    waiting = list(selectors.ideas_waiting())
    assert [i.title for i in waiting] == ["Publish the salary bands for every role"]
    page = client_for("alice").get("/ideas/").content.decode()
    assert "Waiting for leadership" in page


def test_running_again_changes_nothing(seeded):
    before = counts()
    output = seed()
    assert "decisions (0 new)." in output
    assert counts() == before
    # The ideas' cards are not statuses of the stream: a rerun does not count them as such.
    content = [line for line in seeded.splitlines() if line.startswith("Content ready")][0]
    assert content.split(",")[0] in output

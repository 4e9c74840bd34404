"""`seed_demo`: the executive blog and the questions to leadership, stored as the services do."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from rest_framework.test import APIClient

from demo.seeding.data.leadership import POSTS, QUESTIONS
from exec_blog.models import BlogPost, BlogRead, Question, QuestionVote
from feeds.models import Comment, Reaction, Status
from notifications.models import Notification
from profiles.models import User
from tests.conftest import seeded_module

pytestmark = pytest.mark.django_db

SCHEDULED = "announcing-our-annual-kickoff"
DRAFT = "draft-compensation-review-notes"


OPTIONS = {"employees": 30, "statuses": 50}
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
    models = (BlogPost, BlogRead, Question, QuestionVote, Comment, Reaction, Notification, Status)
    return {model.__name__: model.objects.count() for model in models}


def test_published_posts_are_visible_and_scheduled_and_draft_ones_are_not(seeded):
    assert "Leadership ready: 6 blog posts, 12 questions (5 answered; 18 new)." in seeded
    response = client_for("alice").get("/api/v1/blog/posts/")
    assert response.status_code == 200
    slugs = [post["slug"] for post in response.json()["results"]]
    published = [p.slug for p in POSTS if p.days_ago is not None and p.days_ago > 0]
    assert sorted(slugs) == sorted(published) and len(slugs) == 4
    authors = {post["author"]["username"] for post in response.json()["results"]}
    assert "ceo" in authors and len(authors) == 2
    first = response.json()["results"][0]
    assert "<h2>" in first["body_html"] and "<table>" in first["body_html"]
    assert "<blockquote>" in first["body_html"] and first["tags"]
    assert client_for("alice").get(f"/api/v1/blog/posts/{SCHEDULED}/").status_code == 404
    assert client_for("alice").get(f"/api/v1/blog/posts/{DRAFT}/").status_code == 404
    mine = client_for("ceo").get("/api/v1/blog/posts/?mine=true").json()["results"]
    assert {post["slug"] for post in mine} == {SCHEDULED, DRAFT}
    scheduled = client_for("ceo").get(f"/api/v1/blog/posts/{SCHEDULED}/")
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "published"


def test_reads_comments_and_reactions_are_consistent(seeded):
    live = BlogPost.objects.filter(
        slug__in=[p.slug for p in POSTS if p.days_ago and p.days_ago > 0]
    )
    employees = User.objects.filter(profile__department__isnull=False).count()
    for post in live.annotate(n=Count("reads")):
        assert post.reads_count == post.n == BlogRead.objects.filter(post=post).count()
        assert 0.2 * employees <= post.reads_count <= 0.75 * employees
        assert not BlogRead.objects.filter(post=post, user=post.author).exists()
        assert not BlogRead.objects.filter(post=post, created_at__lt=post.publish_at).exists()
        card = post.card
        assert card.created_at == post.publish_at
        assert card.comments.count() == card.comment_count >= 3
        assert not card.comments.filter(created_at__lt=post.publish_at).exists()
        assert card.reactions.exists()
        assert not card.reactions.filter(user=post.author).exists()
    assert not BlogPost.objects.exclude(card=None).exclude(card__author=F("author")).exists()
    assert BlogPost.objects.get(slug=DRAFT).card is None


def test_questions_answered_open_anonymous_and_voted(seeded):
    response = client_for("alice").get("/api/v1/questions/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == len(QUESTIONS) == 12
    answered = client_for("alice").get("/api/v1/questions/?answered=true").json()["results"]
    open_ = client_for("alice").get("/api/v1/questions/?answered=false").json()["results"]
    assert len(answered) == 5 and len(open_) == 7
    anonymous = [q for q in results if q["anonymous"]]
    assert len(anonymous) == 3 and all(q["asker"] is None for q in anonymous)
    assert all(q["asker"] for q in results if not q["anonymous"])
    alice = User.objects.get(username="alice")
    assert Question.objects.filter(asker=alice, anonymous=True).exists()
    for question in Question.objects.annotate(n=Count("votes")):
        assert question.votes_count == question.n >= 1
        assert not question.votes.filter(user=question.asker).exists()
    for question in Question.objects.exclude(answered_at=None):
        assert question.answered_by.groups.filter(name="Executives").exists()
        assert question.answer_html and question.answered_at > question.created_at
    top = Question.objects.filter(answered_at=None).order_by("-votes_count").first()
    assert top.days_open > 20


def test_running_again_changes_nothing(seeded):
    before = counts()
    output = seed()
    assert "answered; 0 new)." in output and "(0 new statuses)" in output
    assert counts() == before

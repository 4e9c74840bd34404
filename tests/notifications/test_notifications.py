"""The notifications app: kinds registered by the apps above, one query per target model on a
page, follows through the profiles hook, and targets that take their notifications with them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from activity.models import ActivityEvent
from core import realtime
from exec_blog import services as blog
from feeds import services as feeds
from ideas import services as ideas
from notifications import registry
from notifications.models import Notification
from notifications.services import notification_create
from profiles.services import follow_create, follow_delete
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def every_kind(me, others, executive) -> None:
    """A notification of each kind and target model for `me`, from different people."""
    for n, actor in enumerate(others):
        blog.post_create(
            author=executive, title=f"Post {n} {actor.pk}", body="Read me", status="published"
        )
        status = feeds.status_create(author=me, body=f"Update {n} from me")
        feeds.reaction_add(user=actor, status=status, kind="like")
        feeds.comment_create(author=actor, status=status, body=f"Nice, @{me.username}")
        theirs = feeds.status_create(author=actor, body=f"Hello @{me.username} ({n})")
        feeds.comment_create(author=actor, status=theirs, body=f"And @{me.username} again")
        question = blog.question_create(asker=me, body=f"Question number {n} to leadership?")
        notification_create(recipient=me, kind="answer", actor=actor, target=question)
        idea = ideas.idea_create(
            author=actor,
            title=f"An idea worth having, number {n}",
            description=f"What do you think, @{me.username}?",
        )
        notification_create(recipient=me, kind="idea", actor=actor, target=idea)
        follow_create(follower=actor, followee=me)


def test_a_page_costs_the_same_queries_for_few_or_many_notifications(alice, ceo):
    every_kind(alice, UserFactory.create_batch(1), ceo)
    client = client_for(alice)
    client.get("/api/v1/notifications/")  # warm up the session
    with CaptureQueriesContext(connection) as small:
        few = client.get("/api/v1/notifications/")
    every_kind(alice, UserFactory.create_batch(3), ceo)
    with CaptureQueriesContext(connection) as large:
        many = client.get("/api/v1/notifications/")
    assert len(few.json()["results"]) < len(many.json()["results"])
    assert len(small) == len(large)
    kinds = {n["kind"] for n in many.json()["results"]}
    assert {"mention", "comment", "reaction", "follow", "answer", "idea", "blog"} <= kinds


def test_the_page_costs_the_same_queries_for_few_or_many(alice, ceo, client):
    client.force_login(alice)
    every_kind(alice, UserFactory.create_batch(1), ceo)
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/notifications/").status_code == 200
    every_kind(alice, UserFactory.create_batch(3), ceo)
    with CaptureQueriesContext(connection) as large:
        page = client.get("/notifications/")
    assert len(small) == len(large)
    assert b"mentioned you in a comment" in page.content


def test_a_kind_nobody_registered_renders_with_a_neutral_text_and_the_actors_profile(alice, bob):
    note = notification_create(recipient=alice, kind="mystery", actor=bob)
    listed = client_for(alice).get("/api/v1/notifications/").json()["results"][0]
    assert listed["id"] == note.pk
    assert listed["text"].endswith("sent you a notification")
    assert listed["url"] == f"/people/{bob.username}/"
    assert listed["status_id"] is None
    assert client_for(alice).get("/notifications/").status_code == 200


def test_every_app_registers_its_kinds():
    assert {"mention", "comment", "reaction", "follow", "answer", "blog", "idea"} <= set(
        registry.kinds()
    )
    assert registry.is_grouped("reaction") and not registry.is_grouped("mention")


def test_following_notifies_records_and_updates_sockets_through_the_hook(
    alice, bob, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(realtime, "publish_many", published.extend)
    with django_capture_on_commit_callbacks(execute=True):
        follow_create(follower=bob, followee=alice)
    note = Notification.objects.get(recipient=alice)
    assert note.kind == "follow" and note.actor == bob and note.target_type is None
    assert ActivityEvent.objects.filter(kind="follow", actor=bob, object_id=alice.pk).exists()
    types = [m["event"]["type"] for m in published]
    assert types == ["notification.created", "_follow"]
    assert published[0]["event"]["notification"]["url"] == f"/people/{bob.username}/"
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        follow_delete(follower=bob, followee=alice)
    assert [m["event"] for m in published] == [
        {"type": "_follow", "followee": alice.pk, "following": False}
    ]


def test_deleting_a_target_deletes_the_notifications_about_it(alice, bob):
    status = feeds.status_create(author=alice, body="Mine")
    feeds.reaction_add(user=bob, status=status, kind="like")
    feeds.comment_create(author=bob, status=status, body="Hi")
    follow_create(follower=bob, followee=alice)
    assert Notification.objects.filter(recipient=alice).count() == 3
    status.delete()
    assert list(Notification.objects.values_list("kind", flat=True)) == ["follow"]

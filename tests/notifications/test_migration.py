"""feeds 0007 moves every notification into the notifications app with its id, its kind, its
recipient, its read state and what it was about; and back again.

It runs the real migrations on the test database (SQLite, or PostgreSQL with DATABASE_URL):
back to feeds 0006, rows written through the historical models, then forward. Transactional,
and it always ends on the latest migrations, so the tests after it find the schema they expect.
"""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from exec_blog.models import BlogPost, Question
from feeds.models import Comment, Status
from ideas.models import Idea
from notifications import registry, selectors
from notifications.models import Notification
from notifications.services import notification_create
from profiles.models import User
from profiles.services import profile_ensure

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("feeds", "0006_idea_notifications")]
OLD_FIELDS = ("id", "recipient_id", "kind", "actor_id", "actor_ids", "read_at")
OLD_TARGETS = ("status_id", "comment_id", "question_id", "blog_post_id", "idea_id")


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return MigrationExecutor(connection).loader


def applied_apps(loader):
    """The historical models of what is applied now: the apps that were not migrated back
    (profiles with its later fields, say) stay at their latest state."""
    applied = [key for key in loader.applied_migrations if key in loader.graph.nodes]
    return loader.project_state(applied).apps


@pytest.fixture
def before():
    """The historical apps at feeds 0006; the database goes back to the latest afterwards."""
    loader = migrate(BEFORE)
    try:
        yield applied_apps(loader)
    finally:
        migrate()


def seed_old(apps) -> dict:
    """One notification of every kind and target the old table could hold, with ids that are
    not consecutive, read and unread."""
    get = apps.get_model
    User_ = get("profiles", "User")
    alice, bob, carol = (User_.objects.create(username=n, password="!") for n in "abc")
    status = get("feeds", "Status").objects.create(author=alice, body="hi @b", body_html="hi")
    comment = get("feeds", "Comment").objects.create(
        status=status, author=bob, body="yes @a", body_html="yes"
    )
    question = get("exec_blog", "Question").objects.create(asker=alice, body="Why is it so?")
    card = get("feeds", "Status").objects.create(author=carol, body="Post", body_html="Post")
    post = get("exec_blog", "BlogPost").objects.create(
        author=carol, title="Post", slug="post", body="Body", body_html="Body", card=card
    )
    idea_card = get("feeds", "Status").objects.create(author=alice, body="Idea", body_html="I")
    idea = get("ideas", "Idea").objects.create(
        author=alice,
        title="A good idea for all",
        description="d",
        description_html="d",
        card=idea_card,
    )
    now = timezone.now()
    rows = [
        dict(id=7, kind="mention", status=status),
        dict(id=8, kind="mention", status=status, comment=comment),
        dict(id=12, kind="comment", status=status, comment=comment, read_at=now),
        dict(id=13, kind="reaction", status=status, actor_ids=[bob.pk, carol.pk]),
        dict(id=20, kind="follow"),
        dict(id=21, kind="answer", question=question, recipient=bob, actor=carol),
        dict(id=30, kind="blog", blog_post=post, status=card, read_at=now),
        dict(id=31, kind="idea", idea=idea, recipient=bob, actor=carol),
        dict(id=40, kind="mention", idea=idea, status=idea_card),
    ]
    Old = get("feeds", "Notification")
    for row in rows:
        row.setdefault("recipient", alice)
        row.setdefault("actor", bob)
        row.setdefault("actor_ids", [row["actor"].pk])
        Old.objects.create(created_at=now - timedelta(hours=row["id"]), updated_at=now, **row)
    return {
        "users": (alice, bob, carol),
        "status": status.pk,
        "comment": comment.pk,
        "question": question.pk,
        "post": post.pk,
        "card": card.pk,
        "idea": idea.pk,
        "idea_card": idea_card.pk,
        "old": sorted(Old.objects.values_list(*OLD_FIELDS, *OLD_TARGETS, "created_at")),
    }


def test_every_notification_moves_with_its_id_and_target_and_back(before):
    seeded = seed_old(before)
    alice, bob, _ = seeded["users"]

    migrate()
    for user in User.objects.all():
        profile_ensure(user=user)  # the API names the actor by their profile

    moved = {n.pk: n for n in Notification.objects.all()}
    assert sorted(moved) == [7, 8, 12, 13, 20, 21, 30, 31, 40]
    targets = {
        7: (Status, seeded["status"]),
        8: (Comment, seeded["comment"]),
        12: (Comment, seeded["comment"]),
        13: (Status, seeded["status"]),
        20: (None, None),
        21: (Question, seeded["question"]),
        30: (BlogPost, seeded["post"]),
        31: (Idea, seeded["idea"]),
        40: (Idea, seeded["idea"]),
    }
    for pk, (model, target_id) in targets.items():
        n = moved[pk]
        assert (n.target_type.model_class() if n.target_type else None) == model, pk
        assert n.target_id == target_id, pk
    old = {row[0]: row for row in seeded["old"]}
    for pk, n in moved.items():
        assert (n.pk, n.recipient_id, n.kind, n.actor_id, n.actor_ids, n.read_at) == old[pk][:6]
        assert n.created_at == old[pk][-1]
    assert moved[13].actor_ids == [bob.pk, seeded["users"][2].pk]
    assert {pk for pk, n in moved.items() if n.read_at} == {12, 30}

    # What the API says about each is what it said before the move.
    selectors.targets_attach(moved.values())
    refs = {pk: registry.refs(n) for pk, n in moved.items()}
    none = dict.fromkeys(registry.REFS)
    s, c = seeded["status"], seeded["comment"]
    assert refs[7] == {**none, "status_id": s}
    assert refs[8] == refs[12] == {**none, "status_id": s, "comment_id": c}
    assert refs[20] == none
    assert refs[21] == {**none, "question_id": seeded["question"]}
    assert refs[30] == {**none, "status_id": seeded["card"]}
    assert refs[31] == {**none, "idea_id": seeded["idea"]}
    assert refs[40] == {**none, "idea_id": seeded["idea"], "status_id": seeded["idea_card"]}
    assert registry.url(moved[8]) == f"/statuses/{s}/#comment-{c}"
    assert registry.url(moved[30]) == "/blog/post/"
    assert registry.url(moved[40]) == f"/ideas/{seeded['idea']}/"
    assert registry.url(moved[20]) == "/people/b/"
    assert registry.text(moved[21]).endswith("answered a question you voted for")

    # New notifications come after the copied ids (the sequence was reset on PostgreSQL).
    fresh = notification_create(
        recipient=User.objects.get(pk=alice.pk),
        kind="follow",
        actor=User.objects.get(pk=bob.pk),
    )
    assert fresh.pk > 40
    fresh.delete()

    # Backwards: the old table gets every row back, unfolded into its old columns.
    apps = applied_apps(migrate(BEFORE))
    back = apps.get_model("feeds", "Notification").objects.values_list(
        *OLD_FIELDS, *OLD_TARGETS, "created_at"
    )
    assert sorted(back) == seeded["old"]
    assert not Notification.objects.exists()


def test_a_target_of_a_later_app_has_its_content_type_made_when_missing(before):
    """The migration finds content types by app label and model, creating them if needed."""
    # Through the historical model: today's relations to ContentType are not all there yet.
    before.get_model("contenttypes", "ContentType").objects.filter(
        app_label="ideas", model="idea"
    ).delete()
    ContentType.objects.clear_cache()
    seeded = seed_old(before)
    migrate()
    assert Notification.objects.get(pk=31).target_id == seeded["idea"]
    assert ContentType.objects.get(pk=Notification.objects.get(pk=31).target_type_id).model == (
        "idea"
    )

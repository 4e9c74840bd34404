"""feeds 0008: the moderation log stops pointing at exec_blog's Question with a foreign key and
names it by content type and id. Entries written before the change keep their ids and targets
(on SQLite and, in CI's second pass, PostgreSQL)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from exec_blog.models import Question
from feeds.models import ModerationAction

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("feeds", "0007_notifications_move"), ("exec_blog", "0003_blog_images")]
AFTER = [("feeds", "0008_moderation_target")]


def _migrate(targets):
    """Migrate to `targets`; the historical models of everything applied then (the apps not
    migrated back stay at their latest state)."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    applied = [key for key in loader.applied_migrations if key in loader.graph.nodes]
    return loader.project_state(applied).apps


def test_question_entries_keep_their_ids_moderator_and_target():
    old = _migrate(BEFORE)
    try:
        user_model = old.get_model("profiles", "User")
        mod = user_model.objects.create(username="mod_m", email="mod_m@example.com")
        asker = user_model.objects.create(username="asker_m", email="asker_m@example.com")
        question = old.get_model("exec_blog", "Question").objects.create(
            asker=asker, body="Why is the canteen closed on Fridays?"
        )
        action = old.get_model("feeds", "ModerationAction")
        hidden = action.objects.create(
            moderator=mod, action="hide", question=question, reason="Personal attack"
        )
        restored = action.objects.create(
            moderator=mod,
            action="restore",
            question=question,
            reason="On reflection, fair",
            created_at=timezone.now(),
        )
    finally:
        _migrate(_latest())

    entries = {e.pk: e for e in ModerationAction.objects.all()}
    assert set(entries) == {hidden.pk, restored.pk}
    for pk, action_name in ((hidden.pk, "hide"), (restored.pk, "restore")):
        entry = entries[pk]
        assert entry.action == action_name and entry.moderator_id == mod.pk
        assert entry.target == Question.objects.get(pk=question.pk)
        assert entry.status_id is None and entry.comment_id is None
    assert set(Question.objects.get(pk=question.pk).moderation.values_list("pk", flat=True)) == {
        hidden.pk,
        restored.pk,
    }


def test_the_migration_reverses_to_the_foreign_key():
    _migrate(_latest())
    new = _migrate(AFTER)
    try:
        user_model = new.get_model("profiles", "User")
        content_type = new.get_model("contenttypes", "ContentType")
        mod = user_model.objects.create(username="mod_r", email="mod_r@example.com")
        asker = user_model.objects.create(username="asker_r", email="asker_r@example.com")
        question = new.get_model("exec_blog", "Question").objects.create(
            asker=asker, body="Will we get a bike shed at the new site?"
        )
        question_type, _ = content_type.objects.get_or_create(
            app_label="exec_blog", model="question"
        )
        entry = new.get_model("feeds", "ModerationAction").objects.create(
            moderator=mod,
            action="hide",
            target_type=question_type,
            target_id=question.pk,
            reason="Duplicate",
        )
        old = _migrate(BEFORE)
        back = old.get_model("feeds", "ModerationAction").objects.get(pk=entry.pk)
        assert back.question_id == question.pk
    finally:
        _migrate(_latest())


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()

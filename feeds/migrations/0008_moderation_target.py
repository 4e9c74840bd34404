"""The moderation log names content of the apps above feeds by content type and id, not by a
foreign key to exec_blog's Question: feeds' models stop depending on exec_blog. Every entry
about a question keeps its id, moderator, action, reason and time."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


def questions_to_targets(apps, schema_editor):
    ModerationAction = apps.get_model("feeds", "ModerationAction")
    ContentType = apps.get_model("contenttypes", "ContentType")
    entries = ModerationAction.objects.filter(question__isnull=False)
    if not entries.exists():
        return
    question_type, _ = ContentType.objects.get_or_create(app_label="exec_blog", model="question")
    for entry in entries.iterator():
        entry.target_type_id = question_type.pk
        entry.target_id = entry.question_id
        entry.save(update_fields=["target_type", "target_id"])


def targets_to_questions(apps, schema_editor):
    ModerationAction = apps.get_model("feeds", "ModerationAction")
    ContentType = apps.get_model("contenttypes", "ContentType")
    question_type = ContentType.objects.filter(app_label="exec_blog", model="question").first()
    if question_type is None:
        return
    for entry in ModerationAction.objects.filter(target_type=question_type).iterator():
        entry.question_id = entry.target_id
        entry.save(update_fields=["question"])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("exec_blog", "0003_blog_images"),
        ("feeds", "0007_notifications_move"),
    ]

    operations = [
        migrations.AddField(
            model_name="moderationaction",
            name="target_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="moderationaction",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        # In this order so that, reversed, the questions are copied back before the old
        # constraint (a target among status, comment, question) returns.
        migrations.RemoveConstraint(model_name="moderationaction", name="moderation_has_target"),
        migrations.RunPython(questions_to_targets, targets_to_questions),
        migrations.RemoveField(model_name="moderationaction", name="question"),
        migrations.AddConstraint(
            model_name="moderationaction",
            constraint=models.CheckConstraint(
                condition=Q(status__isnull=False)
                | Q(comment__isnull=False)
                | Q(target_type__isnull=False, target_id__isnull=False),
                name="moderation_has_target",
            ),
        ),
    ]

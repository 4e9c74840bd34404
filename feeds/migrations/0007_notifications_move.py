"""Notifications move to their own app (issue 15): every `feeds_notification` row is copied into
`notifications_notification` with the same id, its five nullable foreign keys folded into one
generic target; then `feeds.Notification` is deleted, and with it the foreign keys from feeds to
exec_blog and ideas that made their migrations depend on each other.

The target is, in this order, the first that is set: the comment (mentions in comments and
comments; its status is the comment's), the idea (decisions; mentions in an idea, whose status
was its card), the blog post (announcements; their status was the card), the question
(answers), the status (mentions and reactions). None for a follow.

Reversible: going back recreates `feeds_notification` and unfolds each target into the old
columns (a comment gives its status, a blog post and an idea mention their card), then empties
the new table. Notifications about a model the old table had no column for are dropped then.
"""

from django.core.management.color import no_style
from django.db import migrations

# (old column, app_label, model), in the order of precedence described above.
TARGETS = (
    ("comment_id", "feeds", "comment"),
    ("idea_id", "ideas", "idea"),
    ("blog_post_id", "exec_blog", "blogpost"),
    ("question_id", "exec_blog", "question"),
    ("status_id", "feeds", "status"),
)


def _content_type_ids(apps) -> dict[str, int]:
    ContentType = apps.get_model("contenttypes", "ContentType")
    return {
        column: ContentType.objects.get_or_create(app_label=app_label, model=model)[0].pk
        for column, app_label, model in TARGETS
    }


def forward(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    Old = apps.get_model("feeds", "Notification")
    New = apps.get_model("notifications", "Notification")
    types = _content_type_ids(apps)
    type_case = " ".join(f"WHEN {quote(column)} IS NOT NULL THEN %s" for column, _, _ in TARGETS)
    id_case = " ".join(
        f"WHEN {quote(column)} IS NOT NULL THEN {quote(column)}" for column, _, _ in TARGETS
    )
    columns = ["id", "recipient_id", "kind", "actor_id", "actor_ids"]
    times = ["created_at", "updated_at", "read_at"]
    # One statement, whatever the number of rows: ids, JSON and times are copied as stored.
    sql = (
        f"INSERT INTO {quote(New._meta.db_table)} "
        f"({', '.join(quote(c) for c in [*columns, 'target_type_id', 'target_id', *times])}) "
        f"SELECT {', '.join(quote(c) for c in columns)}, "
        f"CASE {type_case} ELSE NULL END, CASE {id_case} ELSE NULL END, "
        f"{', '.join(quote(c) for c in times)} "
        f"FROM {quote(Old._meta.db_table)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [types[column] for column, _, _ in TARGETS])
        # Rows were inserted with their ids: the next new one must come after them.
        for statement in connection.ops.sequence_reset_sql(no_style(), [New]):
            cursor.execute(statement)


def backward(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    Old = apps.get_model("feeds", "Notification")
    New = apps.get_model("notifications", "Notification")
    Comment = apps.get_model("feeds", "Comment")
    BlogPost = apps.get_model("exec_blog", "BlogPost")
    Idea = apps.get_model("ideas", "Idea")
    types = _content_type_ids(apps)
    new = quote(New._meta.db_table)

    def card_of(model) -> str:
        return (
            f"(SELECT {quote('card_id')} FROM {quote(model._meta.db_table)} "
            f"WHERE {quote('id')} = {new}.{quote('target_id')})"
        )

    comment_status = (
        f"(SELECT {quote('status_id')} FROM {quote(Comment._meta.db_table)} "
        f"WHERE {quote('id')} = {new}.{quote('target_id')})"
    )
    target_type = f"{new}.{quote('target_type_id')}"

    def column_of(column: str) -> str:
        return f"CASE WHEN {target_type} = %s THEN {new}.{quote('target_id')} ELSE NULL END"

    status = (
        f"CASE WHEN {target_type} = %s THEN {new}.{quote('target_id')} "
        f"WHEN {target_type} = %s THEN {comment_status} "
        f"WHEN {target_type} = %s THEN {card_of(BlogPost)} "
        f"WHEN {target_type} = %s AND {new}.{quote('kind')} = 'mention' THEN {card_of(Idea)} "
        f"ELSE NULL END"
    )
    columns = ["id", "recipient_id", "kind", "actor_id", "actor_ids"]
    times = ["created_at", "updated_at", "read_at"]
    old_targets = ["comment_id", "idea_id", "blog_post_id", "question_id"]
    sql = (
        f"INSERT INTO {quote(Old._meta.db_table)} "
        f"({', '.join(quote(c) for c in [*columns, *old_targets, 'status_id', *times])}) "
        f"SELECT {', '.join(f'{new}.{quote(c)}' for c in columns)}, "
        f"{', '.join(column_of(c) for c in old_targets)}, {status}, "
        f"{', '.join(f'{new}.{quote(c)}' for c in times)} "
        f"FROM {new} WHERE {target_type} IS NULL OR {target_type} IN (%s, %s, %s, %s, %s)"
    )
    params = [
        *(types[c] for c in old_targets),
        types["status_id"],
        types["comment_id"],
        types["blog_post_id"],
        types["idea_id"],
        *types.values(),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute(f"DELETE FROM {new}")  # noqa: S608 (a table name, no input)
        for statement in connection.ops.sequence_reset_sql(no_style(), [Old]):
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("exec_blog", "0002_blog"),
        ("feeds", "0006_idea_notifications"),
        ("ideas", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="Notification"),
    ]

"""The full-text index for status search, on PostgreSQL only (SQLite searches by substring).

Declared here rather than in Status.Meta.indexes because a GIN index cannot be created on
SQLite; the expression is exactly the one feeds.selectors.status_search filters on.
"""

from django.db import migrations

INDEX = "status_body_search_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON feeds_status USING gin "
        "(to_tsvector('english'::regconfig, COALESCE(body, '')))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("feeds", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]

"""On PostgreSQL the table refuses UPDATE, and DELETE of any entry younger than a year, from any
SQL the application's role runs (an ORM bug, a raw query, a shell). The audit log's own retention
(AUDIT_RETENTION_DAYS, at least 365) deletes only older entries. A role that owns the table can
still drop the trigger: docs/governance.md says how to run the application as a role that does
not own it."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit entries are never changed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.at > now() - interval '365 days' THEN
        RAISE EXCEPTION 'audit entries younger than a year are never deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]

"""The grants of docs/governance.md ("Nobody can change it"), run on PostgreSQL: a role that
does not own the audit table appends and reads entries, deletes only those past a year, and
cannot change one, drop or disable the trigger, or empty the table."""

import uuid
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_record

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's roles"),
]

TABLE = AuditEntry._meta.db_table


def _grants(role: str) -> list[str]:
    # As in docs/governance.md, with the test's role name.
    return [
        f"CREATE ROLE {role} NOLOGIN",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, TRUNCATE ON {TABLE} FROM {role}",
    ]


def _refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_the_application_role_appends_but_cannot_change_the_log_or_its_trigger(alice):
    role = f"es_audit_test_{uuid.uuid4().hex[:12]}"
    old = audit_record(action="login.succeeded", actor=alice)
    with connection.cursor() as cursor:
        for sql in _grants(role):
            cursor.execute(sql)
        # An entry older than a year, as if the log had been kept that long (the owner may).
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(
            f"UPDATE {TABLE} SET at = %s WHERE id = %s",  # noqa: S608 - constant table name
            [timezone.now() - timedelta(days=400), old.pk],
        )
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
        cursor.execute(f"SET ROLE {role}")
    try:
        young = audit_record(action="login.failed", target_label="mallory")
        assert AuditEntry.objects.filter(pk=young.pk).exists()
        refusals = {
            "update": _refused(f"UPDATE {TABLE} SET action = 'x' WHERE id = %s", [young.pk]),  # noqa: S608
            "delete a young entry": _refused(f"DELETE FROM {TABLE} WHERE id = %s", [young.pk]),  # noqa: S608
            "truncate": _refused(f"TRUNCATE {TABLE}"),
            "drop the trigger": _refused(f"DROP TRIGGER audit_entry_append_only ON {TABLE}"),
            "disable triggers": _refused(f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL"),
            "drop the table": _refused(f"DROP TABLE {TABLE}"),
            "replace the function": _refused(
                "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS "
                "$$ BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql"
            ),
        }
        assert all(refusals.values()), refusals
        # The audit log's own retention still works for entries past a year.
        assert AuditEntry.objects.purge_before(timezone.now() - timedelta(days=365)) == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.get(pk=young.pk).action == "login.failed"

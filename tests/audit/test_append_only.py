"""The audit log is append-only: the application cannot change or delete an entry, and on
PostgreSQL neither can raw SQL run by the application's role."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from audit.models import AuditEntry, AuditEntryImmutable
from audit.services import audit_record


def test_an_entry_records_actor_action_target_time_and_address(alice, bob):
    request = RequestFactory().get("/", HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="203.0.113.9")
    before = timezone.now()
    entry = audit_record(action="role.grant", actor=alice, target=bob, request=request)
    entry.refresh_from_db()
    assert entry.actor_id == alice.pk and entry.actor_name == alice.username
    assert entry.action == "role.grant"
    assert (entry.target_type, entry.target_id) == ("profiles.user", str(bob.pk))
    assert entry.ip == "203.0.113.9" and entry.user_agent == "Firefox/140"
    assert before <= entry.at <= timezone.now()


def test_the_orm_cannot_change_or_delete_an_entry(alice):
    entry = audit_record(action="login", actor=alice)
    entry.action = "nothing happened"
    with pytest.raises(AuditEntryImmutable):
        entry.save()
    with pytest.raises(AuditEntryImmutable):
        entry.delete()
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AuditEntryImmutable):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "login"


def test_the_audit_log_keeps_its_own_retention_only_for_old_entries(alice):
    young = audit_record(action="login", actor=alice)
    assert AuditEntry.objects.purge_before(timezone.now() - timedelta(days=400)) == 0
    assert AuditEntry.objects.filter(pk=young.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_raw_sql_from_the_application_role_cannot_change_or_delete(alice):
    entry = audit_record(action="login", actor=alice)
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET action = 'x' WHERE id = %s",  # noqa: S608 - constant table name
        f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "login"

"""The audit log: one row per privileged or sensitive action, never changed or deleted by the
application (on PostgreSQL a trigger refuses UPDATE and DELETE, see migration 0002)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditQuerySet(models.QuerySet):
    """No bulk change or delete: the only way out for an entry is `purge_before`, the audit log's
    own retention (AUDIT_RETENTION_DAYS, at least a year; PostgreSQL refuses younger)."""

    def update(self, **kwargs):
        raise AuditEntryImmutable("audit entries are never changed")

    def delete(self):
        raise AuditEntryImmutable("audit entries are never deleted by the application")

    def purge_before(self, cutoff) -> int:
        deleted, _ = models.QuerySet.delete(self.model.objects.filter(at__lt=cutoff).order_by())
        return deleted


class AuditEntry(models.Model):
    """Who did what, to what, when, from where. Names are copied at the time of the action, so
    an entry still reads correctly after the people or things it names change or go away; the
    foreign keys carry no database constraint and are never cascaded (an entry outlives them)."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    # The executive a delegate acted for (null: the actor acted for themselves).
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    on_behalf_of_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at", "id"], name="audit_at_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_at_idx"),
            # `?actor=` filters on the name as recorded (also `scim:<token>`, a deleted user).
            models.Index(fields=["actor_name", "at"], name="audit_actor_name_at_idx"),
            models.Index(fields=["action", "at"], name="audit_action_at_idx"),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or 'system'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditEntryImmutable("audit entries are never changed")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryImmutable("audit entries are never deleted by the application")


class AuditEntryImmutable(Exception):
    """Raised on any attempt to change or delete an audit entry through the ORM instance."""

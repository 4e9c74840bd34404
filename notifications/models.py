from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationQuerySet(models.QuerySet):
    def about(self, target: models.Model) -> "NotificationQuerySet":
        """The notifications whose target is `target` (a generic key cannot be filtered on)."""
        return self.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=target.pk
        )

    def about_any(self, model: type[models.Model], ids) -> "NotificationQuerySet":
        return self.filter(target_type=ContentType.objects.get_for_model(model), target_id__in=ids)


class Notification(models.Model):
    """One row per recipient. What it is about is a generic `target` (a status, a comment, a
    question…, or nothing for a follow); how each kind renders is registered by the app that
    owns it (`notifications.registry`), so this app knows none of them."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Registered kinds, not a fixed list: `notifications.registry`.
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Everyone who did this, for grouped notifications ("Bob and 3 others reacted").
    actor_ids = models.JSONField(default=list)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The list: a recipient's notifications, newest first (keyset pages).
            models.Index(
                fields=["recipient", "-updated_at", "-id"], name="notification_recipient_idx"
            ),
            # The unread count in the navigation of every page.
            models.Index(
                fields=["recipient"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
            # Grouping (the unread reaction notification of a status) and `about()`.
            models.Index(
                fields=["target_type", "target_id", "recipient", "kind"],
                name="notification_target_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def others_count(self) -> int:
        return max(len(self.actor_ids) - 1, 0)

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import kinds


class DigestFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly (Mondays)"
    OFF = "off", "Off"


class NotificationSettings(models.Model):
    """How one person wants to be reached away from the open tab. `email` and `push` hold only
    what differs from nothing: read them through `effective_email`/`effective_push`, which add
    the defaults (so a kind added later starts at its default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reach_settings"
    )
    email = models.JSONField(default=dict, blank=True)
    push = models.JSONField(default=dict, blank=True)
    digest = models.CharField(
        max_length=8, choices=DigestFrequency.choices, default=kinds.DEFAULT_DIGEST
    )
    digest_hour = models.PositiveSmallIntegerField(default=kinds.DEFAULT_DIGEST_HOUR)
    time_zone = models.CharField(max_length=64, blank=True)
    muted_communities = models.ManyToManyField(
        "communities.Community", blank=True, related_name="+"
    )
    muted_statuses = models.ManyToManyField("feeds.Status", blank=True, related_name="+")
    # When the next digest is due (None: off); the end of the last one sent.
    next_digest_at = models.DateTimeField(null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "notification settings"
        indexes = [
            models.Index(
                fields=["next_digest_at"],
                name="reach_digest_due_idx",
                condition=Q(next_digest_at__isnull=False),
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(digest_hour__lte=23), name="reach_digest_hour_0_23")
        ]

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"

    @property
    def effective_email(self) -> dict[str, str]:
        return {k: self.email.get(k, kinds.DEFAULT_EMAIL[k]) for k in kinds.KINDS}

    @property
    def effective_push(self) -> dict[str, bool]:
        return {k: bool(self.push.get(k, kinds.DEFAULT_PUSH[k])) for k in kinds.KINDS}


class MailQueueItem(models.Model):
    """A notification waiting to go out in its recipient's next immediate email (a burst of
    them becomes one email: reach.services.mail_collect)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notification = models.OneToOneField(
        "notifications.Notification", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="reach_mailqueue_user_idx")]

    def __str__(self) -> str:
        return f"notification {self.notification_id} for {self.user_id}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Nothing left to send"


class EmailKind(models.TextChoices):
    IMMEDIATE = "immediate", "Notifications"
    DIGEST = "digest", "Digest"


class EmailDelivery(models.Model):
    """The outbox: one row per email. Its content is rendered when it is sent (and again at
    each retry), so visibility and settings are those of that moment. A failing mail server
    leaves it pending with `next_attempt_at` later; after MAX_ATTEMPTS it is `failed`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=EmailKind.choices)
    notification_ids = models.JSONField(default=list, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    to_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "email deliveries"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="reach_delivery_due_idx",
                condition=Q(state="pending"),
            ),
            models.Index(fields=["recipient", "-created_at"], name="reach_delivery_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} email to {self.recipient_id} ({self.state})"


class PushSubscription(models.Model):
    """One browser's push subscription (the Push API's endpoint and keys)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=2000, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user"], name="reach_pushsub_user_idx")]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of {self.user_id}"

    def info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class PushRetry(models.Model):
    """A push its service answered 429, 5xx or not at all: tried again later, a few times."""

    subscription = models.ForeignKey(PushSubscription, on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=1)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at"], name="reach_pushretry_due_idx")]

    def __str__(self) -> str:
        return f"push retry {self.pk}"

"""Outgoing webhooks: endpoints that admins subscribe, and one delivery per endpoint and event."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone

# The event types an endpoint may subscribe to (docs/provisioning.md, "Outgoing webhooks").
STATUS_CREATED = "status.created"
BLOG_PUBLISHED = "blog.published"
QUESTION_ANSWERED = "question.answered"
IDEA_DECIDED = "idea.decided"
COMMUNITY_CREATED = "community.created"
EVENT_TYPES = (STATUS_CREATED, BLOG_PUBLISHED, QUESTION_ANSWERED, IDEA_DECIDED, COMMUNITY_CREATED)
# What a subscription bound to a community may hear: what happens in it.
COMMUNITY_EVENT_TYPES = (STATUS_CREATED,)

MAX_URL = 2000


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=MAX_URL)
    events = models.JSONField(default=list)
    # A community's posts only (open or private); none: what the whole company sees.
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
    )
    description = models.CharField(max_length=200, blank=True)
    # `whsec_` + base64 of 24 random bytes: shown once, when the endpoint is made. It is kept
    # as it is, since every delivery is signed with it.
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    # A worker sending this endpoint's deliveries holds it until then (one sender at a time
    # keeps them in order).
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Admins are told when it is disabled; deleting it deletes those notifications.
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="target_type", object_id_field="target_id"
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["active", "id"], name="webhook_endpoint_active_idx")]

    def __str__(self) -> str:
        return self.url


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    # No longer visible where the endpoint listens (removed, made private…): never sent.
    SKIPPED = "skipped", "Skipped (no longer visible)"


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The Standard Webhooks `webhook-id`: the same on every attempt, so a receiver can drop a
    # delivery it already has.
    msg_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40)
    # The object the event is about (a status, post, question, idea or community), read again
    # when it is sent to check it may still be told.
    object_id = models.BigIntegerField()
    # The exact body sent (`{"type", "timestamp", "data"}`), the same on every attempt.
    body = models.TextField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # The next delivery of an endpoint, in order of creation.
            models.Index(fields=["endpoint", "state", "id"], name="webhook_delivery_next_idx"),
            # Endpoints with something due (the every-minute sweep).
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due_idx",
                condition=models.Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.msg_id} {self.event_type} → {self.endpoint_id}"

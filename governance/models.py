"""Retention policies (how long each kind of content is kept) and legal holds (what must be kept
whatever the policies say, for as long as the hold stands)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MAX_REASON = 500
# A policy keeps content at least a day and at most a hundred years.
MIN_DAYS = 1
MAX_DAYS = 36_500


class ContentKind(models.TextChoices):
    STATUSES = "statuses", "Statuses"
    COMMENTS = "comments", "Comments"
    NOTIFICATIONS = "notifications", "Notifications"
    UPLOADS = "uploads", "Pictures, files and video"
    ACTIVITY_EVENTS = "activity_events", "Activity records"


# A community may keep its own statuses and comments for a different time; the other kinds are
# the company's alone (a notification or an upload belongs to a person, not a community).
COMMUNITY_KINDS = (ContentKind.STATUSES, ContentKind.COMMENTS)


class RetentionPolicy(models.Model):
    """Keep `kind` for `days` after it was written: company-wide (`community` null) or for one
    community's content, which then follows this policy instead of the company's. No policy
    for a kind: it is kept."""

    kind = models.CharField(max_length=20, choices=ContentKind.choices)
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="retention_policies",
    )
    days = models.PositiveIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "retention policies"
        ordering = ["kind", "community_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(community__isnull=True),
                name="retention_one_company_policy",
            ),
            models.UniqueConstraint(
                fields=["kind", "community"],
                condition=Q(community__isnull=False),
                name="retention_one_community_policy",
            ),
            models.CheckConstraint(
                condition=Q(days__gte=MIN_DAYS, days__lte=MAX_DAYS), name="retention_days_valid"
            ),
            models.CheckConstraint(
                condition=Q(community__isnull=True)
                | Q(kind__in=[k.value for k in COMMUNITY_KINDS]),
                name="retention_community_kinds",
            ),
        ]

    def __str__(self) -> str:
        where = f"community {self.community_id}" if self.community_id else "company"
        return f"{self.kind}: {self.days} days ({where})"


class LegalHoldQuerySet(models.QuerySet):
    def active(self) -> "LegalHoldQuerySet":
        return self.filter(released_at__isnull=True)


class LegalHold(models.Model):
    """Everything written by a custodian, or in a held community, is kept while the hold stands:
    retention passes it by, and its author's delete keeps the record and its files."""

    reason = models.CharField(max_length=MAX_REASON)
    custodians = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    communities = models.ManyToManyField("communities.Community", blank=True, related_name="+")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    released_at = models.DateTimeField(null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(
                fields=["placed_at"], name="legalhold_active_idx", condition=Q(released_at=None)
            ),
        ]

    def __str__(self) -> str:
        return f"hold {self.pk}: {self.reason[:40]}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# What a request may hold: enough for a real matter, not a way to export the whole company
# by listing everyone (that is a backup, not discovery).
MAX_CUSTODIANS = 100
MAX_COMMUNITIES = 100
MAX_Q = 200


class ExportRequest(models.Model):
    """An eDiscovery export asked for by Compliance and built by the job runner into a private
    ZIP (ediscovery.archive). The parameters are kept as asked (usernames and slugs, with the
    ids they named then), so the record still reads correctly after renames."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150)
    # [{"id": 3, "username": "alice"}, …] and [{"id": 7, "slug": "finance"}, …]
    custodians = models.JSONField(default=list, blank=True)
    communities = models.JSONField(default=list, blank=True)
    # Whole days in TIME_ZONE, both included.
    start = models.DateField()
    end = models.DateField()
    q = models.CharField(max_length=MAX_Q, blank=True)

    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    # Rows per file of the ZIP: {"statuses.jsonl": 12, "files": 3, …}
    counts = models.JSONField(default=dict, blank=True)
    # The ZIP's name in the default (private) storage; emptied when it is deleted.
    file = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # A build holds the export until then; another run of the job (the queue hands a long job
    # out again after JOBS_RETRY) leaves it alone.
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="ediscovery_time_idx"),
            # The daily cleanup and the sweep of stalled builds.
            models.Index(
                fields=["expires_at"],
                name="ediscovery_ready_idx",
                condition=Q(state="ready"),
            ),
            models.Index(
                fields=["lease_until"],
                name="ediscovery_running_idx",
                condition=Q(state__in=["queued", "running"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "ready", "failed", "expired"]),
                name="ediscovery_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(start__lte=models.F("end")), name="ediscovery_range"
            ),
        ]

    def __str__(self) -> str:
        return f"eDiscovery export {self.pk} ({self.start} to {self.end})"

    @property
    def custodian_names(self) -> list[str]:
        return [c["username"] for c in self.custodians]

    @property
    def community_slugs(self) -> list[str]:
        return [c["slug"] for c in self.communities]

    @property
    def is_downloadable(self) -> bool:
        return (
            self.state == self.State.READY
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    def parameters(self) -> dict:
        """What was asked, as the manifest and the audit log record it."""
        return {
            "custodians": self.custodian_names,
            "communities": self.community_slugs,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "q": self.q,
        }

"""What happens (append-only events) and how much of it (rollups the reports read).

Reports never read `ActivityEvent`: they read `Rollup`, which `engagement.rollups` keeps up to
date from the `PendingEvent` queue and can rebuild for any date range. Neither table has an
admin page: HR sees aggregates only, and the events are the raw material that must not leak.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ActivityEvent(models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", "visited"
        STATUS = "status", "posted a status"
        COMMENT = "comment", "commented"
        REACTION = "reaction", "reacted"
        HASHTAG = "hashtag", "used a hashtag"
        BLOG_READ = "blog_read", "read a blog post"
        QUESTION = "question", "asked a question"
        VOTE = "vote", "voted for a question"
        ANSWER = "answer", "answered a question"
        FOLLOW = "follow", "followed someone"
        IDEA = "idea", "proposed an idea"
        IDEA_VOTE = "idea_vote", "voted for an idea"
        IDEA_DECISION = "idea_decision", "decided on an idea"
        POLL_VOTE = "poll_vote", "voted in a poll"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # No foreign key constraint: the record is append-only and outlives what it mentions.
    # None for an anonymous question: its asker is kept only for the rate limit, not here.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # The actor's department at that moment (0: none), so moving people leaves history alone.
    department_id = models.PositiveIntegerField(default=0)
    occurred_at = models.DateTimeField(default=timezone.now)
    day = models.DateField()
    # What it was about: the hashtag, blog post, question, idea or poll, by kind.
    object_id = models.BigIntegerField(null=True, blank=True)
    # Hours from the question or idea to this answer or decision.
    value = models.IntegerField(null=True, blank=True)
    # The person a figure about this event rests on when that is not the actor: the asker of
    # an answered question, the author of a decided idea.
    about_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="activity_day_idx"),
            models.Index(fields=["kind", "object_id"], name="activity_object_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["actor", "day"], condition=Q(kind="visit"), name="activity_one_visit_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.day}"


class PendingEvent(models.Model):
    """Events not yet added to the rollups: a queue, drained in order by `rollups_catch_up`."""

    event_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.event_id)


class Rollup(models.Model):
    """One figure for a day, an ISO week or a calendar month, a department and a metric.

    `members` is the sorted list of the people it rests on, packed as little-endian uint32, so
    an increment can tell a new person from one already counted; reports read `count`,
    `people` and `person_days` only.
    """

    class Period(models.TextChoices):
        DAY = "d", "day"
        WEEK = "w", "week"
        MONTH = "m", "month"

    period = models.CharField(max_length=1, choices=Period.choices)
    start = models.DateField()
    department_id = models.PositiveIntegerField()
    metric = models.CharField(max_length=16)
    # The hashtag, blog post or answer-time bucket (hours) for metrics that have one; else 0.
    subject = models.BigIntegerField(default=0)
    count = models.BigIntegerField(default=0)
    people = models.IntegerField(default=0)
    # Sum over the period's days of that day's distinct people (daily actives, summed).
    person_days = models.IntegerField(default=0)
    members = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "start", "department_id", "metric", "subject"],
                name="rollup_key",
            ),
        ]
        indexes = [
            # Reports: one metric's weeks in a range, whatever the subjects of other metrics.
            models.Index(fields=["period", "metric", "start"], name="rollup_metric_idx"),
            # The hashtag and post weeks a report can publish: few among many.
            models.Index(
                fields=["period", "metric", "start"],
                condition=Q(people__gte=5),
                name="rollup_reportable_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.period}{self.start} dept {self.department_id}"


class RollupState(models.Model):
    """One row, locked while the rollups change, so two catch-ups never add an event twice."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    runs = models.BigIntegerField(default=0)
    caught_up_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollups caught up at {self.caught_up_at}"

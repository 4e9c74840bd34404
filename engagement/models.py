"""How much happens: rollups the reports read, kept from `activity.ActivityEvent`.

Reports never read `ActivityEvent`: they read `Rollup`, which `engagement.rollups` keeps up to
date from the `PendingEvent` queue and can rebuild for any date range. Neither table has an
admin page: HR sees aggregates only, and the events are the raw material that must not leak.
"""

from django.db import models
from django.db.models import Q


class RollupFigure(models.Model):
    """One figure for a day, an ISO week or a calendar month and a metric: the fields both
    tables of figures share (who it is about is the table's own: a department or a community).

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
    metric = models.CharField(max_length=16)
    # The hashtag, blog post or answer-time bucket (hours) for metrics that have one; else 0.
    subject = models.BigIntegerField(default=0)
    count = models.BigIntegerField(default=0)
    people = models.IntegerField(default=0)
    # Sum over the period's days of that day's distinct people (daily actives, summed).
    person_days = models.IntegerField(default=0)
    members = models.BinaryField(default=b"")

    class Meta:
        abstract = True


class Rollup(RollupFigure):
    """A department's figure (department 0: people in none; company-wide metrics are kept
    there too, see `engagement.rollups.COMPANY_WIDE`)."""

    department_id = models.PositiveIntegerField()

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


class CommunityRollup(RollupFigure):
    """A community's figure: what happened on its statuses (posts, comments, reactions, poll
    votes), by whoever did it, member or not, and its members at the end of a day
    (`headcount`). A table of its own, so that the department reports read no community row.
    Community 0 holds only the marker that a day's members were counted (see
    `engagement.rollups.community_headcounts_on`)."""

    community_id = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "start", "community_id", "metric", "subject"],
                name="community_rollup_key",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "metric", "start"], name="community_rollup_metric_idx"),
            # The weeks and months a report by community can publish (a block of at least 5
            # people): a fifth of a year's weekly rows, read from the index alone.
            models.Index(
                fields=["period", "metric", "start"],
                include=["community_id", "subject", "count", "people", "person_days"],
                condition=Q(people__gte=5),
                name="community_rollup_usable_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.period}{self.start} community {self.community_id}"


class DepartmentWeek(models.Model):
    """One department's ISO week with every figure of it the report reads: the weekly `Rollup`
    rows of the report's department metrics (`engagement.report.DEPARTMENT_METRICS`, subject 0)
    folded into one row, so a year's report reads one row per department and week instead of
    eight (issue 21). Kept by the rollup job in the same transaction as the rows it folds
    (`engagement.rollups.department_weeks_refresh`); a metric with no row is 0 people.

    `<metric>_people` is the block's size, on which the report's suppression rule is judged
    exactly as on the `Rollup` row; `active_person_days` the summed daily actives."""

    start = models.DateField()
    department_id = models.PositiveIntegerField()
    active_count = models.BigIntegerField(default=0)
    active_people = models.IntegerField(default=0)
    active_person_days = models.IntegerField(default=0)
    participant_count = models.BigIntegerField(default=0)
    participant_people = models.IntegerField(default=0)
    status_count = models.BigIntegerField(default=0)
    status_people = models.IntegerField(default=0)
    comment_count = models.BigIntegerField(default=0)
    comment_people = models.IntegerField(default=0)
    reaction_count = models.BigIntegerField(default=0)
    reaction_people = models.IntegerField(default=0)
    idea_count = models.BigIntegerField(default=0)
    idea_people = models.IntegerField(default=0)
    idea_vote_count = models.BigIntegerField(default=0)
    idea_vote_people = models.IntegerField(default=0)
    idea_decided_count = models.BigIntegerField(default=0)
    idea_decided_people = models.IntegerField(default=0)

    # The metrics folded, in the order of their columns above.
    METRICS = (
        "active",
        "participant",
        "status",
        "comment",
        "reaction",
        "idea",
        "idea_vote",
        "idea_decided",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["start", "department_id"], name="department_week_key"),
        ]

    def __str__(self) -> str:
        return f"week {self.start} dept {self.department_id}"


class RollupState(models.Model):
    """One row, locked while the rollups change, so two catch-ups never add an event twice."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    runs = models.BigIntegerField(default=0)
    caught_up_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollups caught up at {self.caught_up_at}"

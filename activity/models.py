"""What happens: append-only activity events, recorded by every app's services inside their own
transaction, and the queue of those not yet rolled up.

Reports never read `ActivityEvent`: they read `engagement.Rollup`, which `engagement.rollups`
keeps up to date from the `PendingEvent` queue. Neither table has an admin page: HR sees
aggregates only, and the events are the raw material that must not leak.
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
    # The community of the status it happened on (posted in, commented, reacted, voted), if
    # any. A plain number, like the department: activity sits below communities, and the
    # record outlives a deleted community. Whether the community is open, private or secret is
    # read when a report is made, never stored here.
    community_id = models.PositiveIntegerField(null=True, blank=True)
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
        db_table = "engagement_activityevent"
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

    class Meta:
        db_table = "engagement_pendingevent"

    def __str__(self) -> str:
        return str(self.event_id)

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

TITLE_MIN = 10
TITLE_MAX = 120
DESCRIPTION_MAX = 10_000
# Pictures, files and video an idea may carry (attachments app).
IDEA_MAX_ATTACHMENTS = 10
REASON_MAX = 2_000


class IdeaState(models.TextChoices):
    OPEN = "open", "Open"
    UNDER_REVIEW = "under_review", "Under review"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DONE = "done", "Done"


# The one table of state changes an executive may make, each with a public reason. Nothing goes
# back to `open` (it means "nobody has looked yet"), and `done` is final. An accepted idea can
# still be declined (plans change, and saying so beats leaving it "accepted" forever); a declined
# one can be taken back under review. Shown on /ideas/ and in docs/api.md.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    IdeaState.OPEN: (IdeaState.UNDER_REVIEW, IdeaState.ACCEPTED, IdeaState.DECLINED),
    IdeaState.UNDER_REVIEW: (IdeaState.ACCEPTED, IdeaState.DECLINED),
    IdeaState.ACCEPTED: (IdeaState.DONE, IdeaState.DECLINED),
    IdeaState.DECLINED: (IdeaState.UNDER_REVIEW,),
    IdeaState.DONE: (),
}
# Votes are input to a decision: they are cast and taken back while it is pending.
VOTING_STATES = (IdeaState.OPEN, IdeaState.UNDER_REVIEW)
# Still waiting for leadership to decide (the "waiting for leadership" list).
PENDING_STATES = (IdeaState.OPEN, IdeaState.UNDER_REVIEW)
# The author may edit while nobody has acted on the idea yet.
EDITABLE_STATES = (IdeaState.OPEN,)


class Idea(models.Model):
    """An employee's proposal. `card` is the company status that announces it in the feed and
    carries its discussion: its comments, reactions, reports and moderation are the idea's, with
    the feeds' rules. A moderator hides the idea by hiding its card (a tombstone with the reason,
    listed in the moderation log); its author withdraws it by deleting the card."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ideas"
    )
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(max_length=DESCRIPTION_MAX)
    description_html = models.TextField()
    tags = models.ManyToManyField("feeds.Hashtag", blank=True, related_name="ideas")
    # The department the idea concerns (not necessarily the author's).
    department = models.ForeignKey(
        "profiles.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_ideas"
    )
    state = models.CharField(max_length=16, choices=IdeaState.choices, default=IdeaState.OPEN)
    votes_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # When it entered its current state: how long it has been waiting for leadership.
    state_changed_at = models.DateTimeField(default=timezone.now)
    # The latest proposal, edit, vote, comment or decision ("recent activity").
    last_activity_at = models.DateTimeField(default=timezone.now)
    card = models.OneToOneField(
        "feeds.Status",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="idea",
    )
    # Deleting it deletes the notifications about it (no column: a generic relation).
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="target_type", object_id_field="target_id"
    )

    class Meta:
        ordering = ["-votes_count", "-id"]
        indexes = [
            models.Index(fields=["-votes_count", "-id"], name="idea_votes_idx"),
            models.Index(fields=["-last_activity_at", "-id"], name="idea_activity_idx"),
            models.Index(fields=["-created_at", "-id"], name="idea_time_idx"),
            models.Index(fields=["state", "-votes_count", "-id"], name="idea_state_votes_idx"),
            models.Index(
                fields=["state_changed_at"],
                name="idea_pending_idx",
                condition=Q(state__in=["open", "under_review"]),
            ),
            models.Index(fields=["author", "-created_at"], name="idea_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in IdeaState]), name="idea_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:detail", kwargs={"idea_id": self.pk})

    @property
    def is_removed(self) -> bool:
        """Hidden by a moderator or withdrawn by its author: both act on the card."""
        return self.card_id is not None and self.card.is_removed

    @property
    def removal(self) -> str:
        return self.card.removal if self.card_id is not None else ""

    @property
    def removal_reason(self) -> str:
        return self.card.removal_reason if self.card_id is not None else ""

    @property
    def removed_by(self):
        return self.card.removed_by if self.card_id is not None else None

    @property
    def next_states(self) -> tuple[str, ...]:
        return TRANSITIONS[self.state]

    @property
    def takes_votes(self) -> bool:
        return self.state in VOTING_STATES and not self.is_removed

    @property
    def days_in_state(self) -> int:
        return (timezone.now() - self.state_changed_at).days


class IdeaVote(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="idea_vote_once"),
        ]
        indexes = [models.Index(fields=["user", "idea"], name="idea_vote_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} votes {self.idea_id}"


class IdeaDecision(models.Model):
    """A state change, public: from, to, who, when and why. Never edited or deleted."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="decisions")
    from_state = models.CharField(max_length=16, choices=IdeaState.choices)
    to_state = models.CharField(max_length=16, choices=IdeaState.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="idea_decisions"
    )
    reason = models.TextField(max_length=REASON_MAX)
    reason_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "created_at", "id"], name="idea_decision_idx")]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.from_state} → {self.to_state}"


class IdeaRevision(models.Model):
    """An earlier title and description, kept when the author edits an open idea."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField()
    description_html = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["idea", "-written_at"], name="idea_revision_idx")]

    def __str__(self) -> str:
        return f"revision of {self.idea_id} at {self.written_at:%Y-%m-%d %H:%M}"

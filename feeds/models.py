from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import moderation

# Limits of what people write (statuses, comments) and of a moderation reason.
MAX_LENGTH = 2000
MAX_REASON = 500
# What a moderator may do to a status.
STATUS_ACTIONS = ("hide", "restore", "lock", "unlock")
# Pictures, files and video a status or a comment may carry (attachments app).
STATUS_MAX_ATTACHMENTS = 10
COMMENT_MAX_ATTACHMENTS = 4


class Visibility(models.TextChoices):
    COMPANY = "company", "Everyone in the company"
    DEPARTMENT = "department", "My department"


class ReactionKind(models.TextChoices):
    LIKE = "like", "Like"
    CELEBRATE = "celebrate", "Celebrate"
    INSIGHTFUL = "insightful", "Insightful"
    SUPPORT = "support", "Support"
    CURIOUS = "curious", "Curious"


class Removal(models.TextChoices):
    AUTHOR = "author", "removed by the author"
    MODERATOR = "moderator", "hidden by a moderator"
    # Past the company's retention policy (governance): its text and files are purged, and the
    # tombstone says so and after how long (`removal_reason`).
    RETENTION = "retention", "removed by the retention policy"


class Removable(models.Model):
    """A status or comment that can be removed: it then stays as a tombstone saying who and why."""

    removal = models.CharField(max_length=10, choices=Removal.choices, blank=True)
    removal_reason = models.CharField(max_length=500, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_removed(self) -> bool:
        return bool(self.removal)


class Hashtag(models.Model):
    name = models.CharField(max_length=64, unique=True)  # lower-case, without the '#'

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"#{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("feeds:tag", kwargs={"tag": self.name})


class Status(Removable):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="statuses"
    )
    body = models.TextField(max_length=2000)
    body_html = models.TextField()
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.COMPANY
    )
    # The author's department when they posted: who may read a department post.
    department = models.ForeignKey(
        "profiles.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statuses",
    )
    # The community it was posted in, if any. Who may read it follows the community as it is
    # now (feeds.permissions.visible_q_for); nothing about it is copied onto the status.
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statuses",
    )
    # Pinned at the top of its community's page by a community admin (or a moderator).
    pinned_in_community = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    comments_locked = models.BooleanField(default=False)
    lock_reason = models.CharField(max_length=500, blank=True)
    is_announcement = models.BooleanField(default=False)
    announcement_until = models.DateTimeField(null=True, blank=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment_count = models.PositiveIntegerField(default=0)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    hashtags = models.ManyToManyField(Hashtag, blank=True, related_name="statuses")
    # Deleting a status deletes the notifications about it (no column: a generic relation).
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="target_type", object_id_field="target_id"
    )

    class Meta:
        verbose_name_plural = "statuses"
        ordering = ["-created_at", "-id"]
        indexes = [
            # Someone's posts, newest first (profile page, follows branch of the feed).
            models.Index(fields=["author", "-created_at", "-id"], name="status_author_time_idx"),
            # A department's posts, newest first (department branch of the feed).
            models.Index(
                fields=["department", "visibility", "-created_at", "-id"],
                name="status_dept_time_idx",
            ),
            # A community's posts, newest first (its page, the community branch of the feed).
            models.Index(
                fields=["community", "-created_at", "-id"],
                name="status_community_time_idx",
                condition=Q(community__isnull=False),
            ),
            # Company-wide order for search results and the company page.
            models.Index(fields=["-created_at", "-id"], name="status_time_idx"),
            models.Index(
                fields=["-created_at", "-id"],
                name="status_announcement_idx",
                condition=Q(is_announcement=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["company", "department"]),
                name="status_visibility_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("feeds:status", kwargs={"status_id": self.pk})


class StatusRevision(models.Model):
    """An earlier version of a status, kept when its author edits it."""

    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    body_html = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)
    # The ids (tokens) of the attachments this version carried, in order.
    attachments = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["status", "-written_at"], name="revision_status_idx")]

    def __str__(self) -> str:
        return f"revision of {self.status_id} at {self.written_at:%Y-%m-%d %H:%M}"


class Comment(Removable):
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField(max_length=2000)
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_comments"
    )
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="target_type", object_id_field="target_id"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at", "id"], name="comment_status_idx")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.status_id}"


class Reaction(models.Model):
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=12, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "kind", "user"], name="reaction_one_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ReactionKind]),
                name="reaction_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.status_id}"


class ModerationAction(models.Model):
    """A public record: every moderation action is listed in the moderation log."""

    class Action(models.TextChoices):
        HIDE = "hide", "hid"
        RESTORE = "restore", "restored"
        LOCK = "lock", "locked comments on"
        UNLOCK = "unlock", "unlocked comments on"
        MERGE = "merge", "merged"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderation_actions"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.CASCADE, related_name="moderation"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="moderation"
    )
    # Content of the apps above (a question to leadership): see feeds.moderation.
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="moderation_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__isnull=False)
                | Q(comment__isnull=False)
                | Q(target_type__isnull=False, target_id__isnull=False),
                name="moderation_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.moderator_id} {self.action} ({self.reason[:30]})"

    @property
    def target_kind(self) -> "moderation.TargetKind | None":
        """How this entry's target was registered by its app (None: a status or comment)."""
        if self.target_type_id is None:
            return None
        content_type = ContentType.objects.get_for_id(self.target_type_id)
        return moderation.kind_of(f"{content_type.app_label}.{content_type.model}")

    @property
    def target_template(self) -> str:
        """The template that shows this entry's registered target in the log ("" if none)."""
        kind = self.target_kind
        return kind.template if kind else ""


class Report(models.Model):
    """An employee asks moderators to look at a status or comment."""

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_filed"
    )
    status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["-created_at"],
                name="report_open_idx",
                condition=Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.pk} by {self.reporter_id}"


class Poll(models.Model):
    """A poll carried by a status.

    An anonymous poll stores only who has voted (a `PollBallot`, against double votes) and a
    count per option: no row anywhere links a voter to an option, so nobody, admins included,
    can learn who chose what. A named poll also keeps a `PollVote` per chosen option."""

    status = models.OneToOneField(Status, on_delete=models.CASCADE, related_name="poll")
    multiple = models.BooleanField(default=False)
    anonymous = models.BooleanField(default=False)
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    voters_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"poll on status {self.status_id}"

    @property
    def is_closed(self) -> bool:
        return self.ends_at <= timezone.now()


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=100)
    votes_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="poll_option_position"),
        ]

    def __str__(self) -> str:
        return self.label


class PollBallot(models.Model):
    """That someone has voted in a poll, and nothing about what they chose."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_ballots"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="poll_ballot_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} voted in poll {self.poll_id}"


class PollVote(models.Model):
    """A named poll's choice: who chose which option. Never written for anonymous polls."""

    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["option", "user"], name="poll_vote_one_per_option"),
        ]
        indexes = [
            models.Index(fields=["option", "created_at", "id"], name="poll_vote_option_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} chose option {self.option_id}"

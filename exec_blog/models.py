from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from feeds.models import Removable

BODY_MIN = 10
BODY_MAX = 500


def display_name(user) -> str:
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile is not None else "") or user.username


def on_behalf_label(*, posted_by, author) -> str:
    """The byline a delegate's work carries wherever it is shown (empty for the author's own)."""
    if posted_by is None or author is None:
        return ""
    return f"posted by {display_name(posted_by)} on behalf of {display_name(author)}"


class Question(Removable):
    """A question to leadership. Hidden ones stay as tombstones; merged ones point to the earlier.

    `asker` is stored only to enforce the rate limit and to let the asker recognise their own
    question: for an anonymous question it is never shown anywhere (pages, API, admin, exports).
    """

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions"
    )
    anonymous = models.BooleanField(default=False)
    body = models.TextField(max_length=BODY_MAX)
    created_at = models.DateTimeField(default=timezone.now)
    votes_count = models.PositiveIntegerField(default=0)
    answer_body = models.TextField(blank=True)
    answer_html = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The delegate who wrote the current answer for `answered_by` (null: the executive did).
    answer_posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers_posted",
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # Its entries in the public moderation log (feeds.ModerationAction.target), deleted with it.
    moderation = GenericRelation(
        "feeds.ModerationAction",
        content_type_field="target_type",
        object_id_field="target_id",
        related_query_name="question",
    )
    # Deleting it deletes the notifications about it (no column: a generic relation).
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="target_type", object_id_field="target_id"
    )

    class Meta:
        ordering = ["-votes_count", "-id"]
        indexes = [
            models.Index(fields=["-votes_count", "-id"], name="question_votes_idx"),
            models.Index(fields=["-created_at", "-id"], name="question_time_idx"),
            models.Index(
                fields=["-votes_count", "-id"],
                name="question_open_votes_idx",
                condition=Q(answered_at__isnull=True, removal="", merged_into__isnull=True),
            ),
            # The rate limit: someone's questions in the last hour.
            models.Index(fields=["asker", "-created_at"], name="question_asker_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="question_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return f"question {self.pk}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("exec_blog:question", kwargs={"question_id": self.pk})

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def answer_posted_by_label(self) -> str:
        return on_behalf_label(posted_by=self.answer_posted_by, author=self.answered_by)

    @property
    def days_open(self) -> int | None:
        if self.is_answered:
            return None
        return (timezone.now() - self.created_at).days


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="question_vote_once"),
        ]
        indexes = [models.Index(fields=["user", "question"], name="question_vote_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} votes {self.question_id}"


# --- Executive blog ------------------------------------------------------------------------

TITLE_MAX = 150
SUMMARY_MAX = 300
POST_BODY_MAX = 100_000
WORDS_PER_MINUTE = 200


class BlogPost(models.Model):
    """A long-form post by an executive.

    Visible to everyone once `status` is published and `publish_at` has passed; before that
    (a draft, or a post scheduled for later) only to its author. No worker is needed: the
    visibility is a query on the clock. `card` is the company status that carries the post
    into the home feed; its reactions and comments are the post's."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blog_posts"
    )
    title = models.CharField(max_length=TITLE_MAX)
    slug = models.SlugField(max_length=170, unique=True)
    summary = models.CharField(max_length=SUMMARY_MAX, blank=True)
    body = models.TextField(max_length=POST_BODY_MAX)
    body_html = models.TextField()
    tags = models.ManyToManyField("feeds.Hashtag", blank=True, related_name="blog_posts")
    status = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    publish_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Set once, when notifications and the `blog.published` event went out.
    announced_at = models.DateTimeField(null=True, blank=True)
    reads_count = models.PositiveIntegerField(default=0)
    # The delegate who wrote the current version for `author` (null: the author did).
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blog_posts_posted",
    )
    card = models.OneToOneField(
        "feeds.Status",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blog_post",
    )
    # Deleting it deletes the notifications about it (no column: a generic relation).
    notifications = GenericRelation(
        "notifications.Notification", content_type_field="target_type", object_id_field="target_id"
    )

    class Meta:
        ordering = ["-publish_at", "-id"]
        indexes = [
            models.Index(
                fields=["-publish_at", "-id"],
                name="blogpost_published_idx",
                condition=Q(status="published"),
            ),
            models.Index(fields=["author", "-created_at"], name="blogpost_author_idx"),
            models.Index(
                fields=["publish_at"],
                name="blogpost_unannounced_idx",
                condition=Q(status="published", announced_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="blogpost_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(publish_at__isnull=False),
                name="blogpost_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:post", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.State.PUBLISHED

    @property
    def is_live(self) -> bool:
        """Visible to everyone now."""
        return self.is_published and self.publish_at <= timezone.now()

    @property
    def posted_by_label(self) -> str:
        return on_behalf_label(posted_by=self.posted_by, author=self.author)

    @property
    def is_scheduled(self) -> bool:
        return self.is_published and self.publish_at > timezone.now()

    @property
    def reading_minutes(self) -> int:
        words = len(self.body.split())
        return max(1, -(-words // WORDS_PER_MINUTE))


class BlogPostRevision(models.Model):
    """An earlier version of a published post, kept when its author edits it."""

    post = models.ForeignKey(BlogPost, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=TITLE_MAX)
    summary = models.CharField(max_length=SUMMARY_MAX, blank=True)
    body = models.TextField()
    body_html = models.TextField()
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["post", "-written_at"], name="blogrevision_post_idx")]

    def __str__(self) -> str:
        return f"revision of {self.post_id} at {self.written_at:%Y-%m-%d %H:%M}"


class BlogRead(models.Model):
    """Someone opened the post: counted once per person (`BlogPost.reads_count`)."""

    post = models.ForeignKey(BlogPost, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blog_reads"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="blogread_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.post_id}"


IMAGE_ALT_MAX = 200
# Pictures, files and video a blog post may carry (attachments app).
BLOG_MAX_ATTACHMENTS = 10


def blog_image_upload_to(instance: "BlogImage", filename: str) -> str:
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return f"blog/{instance.post_id}-{stamp}.webp"


class BlogImage(models.Model):
    """A picture uploaded with a post: re-encoded to WebP, private (served by `blog:image` to
    those who may see the post), pasted into the body as Markdown."""

    post = models.ForeignKey(BlogPost, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=blog_image_upload_to, max_length=200)
    alt = models.CharField(max_length=IMAGE_ALT_MAX, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at"], name="blogimage_post_idx")]

    def __str__(self) -> str:
        return f"image {self.pk} of {self.post_id}"

    def get_absolute_url(self) -> str:
        return reverse("blog:image", kwargs={"image_id": self.pk})

    @property
    def markdown(self) -> str:
        alt = self.alt.replace("[", "").replace("]", "").replace("\n", " ")
        return f"![{alt}]({self.get_absolute_url()})"


# --- Delegates -----------------------------------------------------------------------------


class Delegation(models.Model):
    """`delegate` may draft, schedule and publish blog posts and answer questions on
    `executive`'s behalf (docs/governance.md, "Delegates"). Read from the database at every
    request: deleting the row ends the delegate's access at once."""

    executive = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegated_by"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["executive", "delegate"], name="delegation_once"),
            models.CheckConstraint(
                condition=~Q(executive=models.F("delegate")), name="delegation_not_self"
            ),
        ]
        # The unique constraint's index serves the executive's list and the permission check;
        # this one serves "whom do I write for".
        indexes = [models.Index(fields=["delegate", "executive"], name="delegation_delegate_idx")]

    def __str__(self) -> str:
        return f"{self.delegate_id} writes for {self.executive_id}"

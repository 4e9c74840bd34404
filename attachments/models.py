import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

MAX_ALT = 1000
MAX_NAME = 200
THUMBNAIL_SIDE = 640
TYPE_LABELS = {
    "image/webp": "Picture",
    "image/jpeg": "Picture",
    "application/pdf": "PDF document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "PowerPoint presentation"
    ),
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation",
    "application/vnd.oasis.opendocument.graphics": "OpenDocument drawing",
    "application/zip": "ZIP archive",
    "text/plain": "Text file",
    "text/csv": "CSV table",
    "video/mp4": "MP4 video",
    "video/webm": "WebM video",
    "video/quicktime": "QuickTime video",
}


def new_token() -> str:
    """The id in a file's URL: 128 random bits, never the row's number."""
    return secrets.token_urlsafe(16)


class Kind(models.TextChoices):
    IMAGE = "image", "Picture"
    FILE = "file", "File"
    VIDEO = "video", "Video"


class Attachment(models.Model):
    """An upload, then (once attached) a picture, file or video of a status, comment, blog post
    or idea: the owner is a content type and id, set when it is attached.

    Unattached it is visible to its uploader only, and deleted after
    `ATTACHMENTS_UNATTACHED_HOURS` (attachments.jobs). Once attached, whoever may read the owner
    may download it (attachments.registry). `detached_at`: edited out of its post, kept for the
    post's history; `removed_*`: removed by a moderator with a public reason."""

    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    # A leaver's files stay with their posts; an account deleted outright leaves them too.
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    name = models.CharField(max_length=MAX_NAME)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    file = models.FileField(max_length=200)
    # A smaller WebP for the feed: of the picture, or the video's poster frame.
    thumbnail = models.FileField(max_length=200, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    alt = models.CharField(max_length=MAX_ALT, blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    owner_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    position = models.PositiveSmallIntegerField(default=0)
    attached_at = models.DateTimeField(null=True, blank=True)
    detached_at = models.DateTimeField(null=True, blank=True)

    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removal_reason = models.CharField(max_length=500, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            # A page's attachments: one query for every owner on it.
            models.Index(
                fields=["owner_type", "owner_id", "position"], name="attachment_owner_idx"
            ),
            # The purge of uploads never attached.
            models.Index(
                fields=["created_at"],
                name="attachment_unattached_idx",
                condition=Q(owner_id__isnull=True),
            ),
            # The daily quota: what one person uploaded lately.
            models.Index(fields=["uploader", "created_at"], name="attachment_uploader_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["image", "file", "video"]), name="attachment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(owner_type__isnull=True, owner_id__isnull=True)
                | Q(owner_type__isnull=False, owner_id__isnull=False),
                name="attachment_owner_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("attachments:file", kwargs={"token": self.token})

    @property
    def thumbnail_url(self) -> str | None:
        if not self.thumbnail:
            return None
        return reverse("attachments:thumbnail", kwargs={"token": self.token})

    @property
    def thumbnail_size(self) -> tuple[int, int] | None:
        """The thumbnail's width and height (at most THUMBNAIL_SIDE), for the page's layout."""
        if not self.width or not self.height:
            return None
        scale = min(1, THUMBNAIL_SIDE / max(self.width, self.height))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))

    @property
    def thumb_width(self) -> int | None:
        size = self.thumbnail_size
        return size[0] if size else None

    @property
    def thumb_height(self) -> int | None:
        size = self.thumbnail_size
        return size[1] if size else None

    @property
    def type_label(self) -> str:
        """What the file is, for people: "PDF document", "Spreadsheet"."""
        return TYPE_LABELS.get(self.content_type, self.content_type)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def is_attached(self) -> bool:
        return self.owner_id is not None

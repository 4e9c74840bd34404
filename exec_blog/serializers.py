"""The API shapes of exec_blog: what `api.py` answers and what `events.py` broadcasts.

Services and events import this module, never `api.py`."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attachments.selectors import attachments_of
from attachments.serializers import AttachmentSerializer, attachment_ids_field, attachments_payload
from core.ids import MAX_ID
from feeds.models import MAX_LENGTH, MAX_REASON
from feeds.serializers import (
    AuthorSerializer,
    StrictSerializer,
)

from .models import (
    BLOG_MAX_ATTACHMENTS,
    BODY_MAX,
    IMAGE_ALT_MAX,
    POST_BODY_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    BlogImage,
    BlogPost,
    Question,
)


def _username(user) -> str | None:
    return user.username if user is not None else None


class AnswerSerializer(serializers.Serializer):
    """An answer. `answered_by` is the executive it speaks for; `posted_by` the delegate who
    wrote it for them (a username), or null when they wrote it themselves."""

    body_html = serializers.CharField(source="answer_html")
    answered_by = AuthorSerializer()
    answered_at = serializers.DateTimeField()
    posted_by = serializers.SerializerMethodField()

    def get_posted_by(self, obj: Question) -> str | None:
        return _username(obj.answer_posted_by)


class QuestionSerializer(serializers.ModelSerializer):
    """A question. `asker` is null for an anonymous one, whoever asks (the asker included)."""

    asker = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    is_mine = serializers.SerializerMethodField()
    has_voted = serializers.SerializerMethodField()
    days_open = serializers.SerializerMethodField()
    answer = serializers.SerializerMethodField()
    is_removed = serializers.BooleanField()
    removed_by = serializers.SerializerMethodField()
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = Question
        fields = [
            "id",
            "body",
            "anonymous",
            "asker",
            "is_mine",
            "created_at",
            "votes_count",
            "has_voted",
            "days_open",
            "answer",
            "is_removed",
            "removal_reason",
            "removed_by",
            "merged_into",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(AuthorSerializer(allow_null=True))
    def get_asker(self, obj: Question):
        if obj.anonymous:
            return None
        return AuthorSerializer(obj.asker).data

    def get_body(self, obj: Question) -> str:
        return "" if obj.is_removed else obj.body

    def get_is_mine(self, obj: Question) -> bool:
        return bool(getattr(obj, "is_mine", False))

    def get_has_voted(self, obj: Question) -> bool:
        return bool(getattr(obj, "has_voted", False))

    def get_days_open(self, obj: Question) -> int | None:
        return obj.days_open

    @extend_schema_field(AnswerSerializer(allow_null=True))
    def get_answer(self, obj: Question):
        if obj.is_removed or not obj.is_answered:
            return None
        return AnswerSerializer(obj).data

    def get_removed_by(self, obj: Question) -> str | None:
        return obj.removed_by.username if obj.removed_by_id else None


class QuestionCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=BODY_MAX * 2, allow_blank=True, trim_whitespace=False)
    anonymous = serializers.BooleanField(default=False)


class AnswerCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=MAX_LENGTH, allow_blank=True, trim_whitespace=False)
    author = serializers.CharField(
        max_length=150,
        required=False,
        help_text="A delegate answers as this executive (their username); default: yourself",
    )


class QuestionModerationSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=["hide", "restore", "merge"])
    reason = serializers.CharField(max_length=MAX_REASON, allow_blank=True)
    into = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)


class BlogPostSerializer(serializers.ModelSerializer):
    """A post. `author` is the executive it speaks for; `posted_by` the delegate who wrote it
    for them (a username), or null when they wrote it themselves."""

    author = AuthorSerializer()
    posted_by = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    reading_minutes = serializers.IntegerField()
    status_id = serializers.IntegerField(source="card_id", allow_null=True)
    url = serializers.CharField(source="get_absolute_url")
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = BlogPost
        fields = [
            "slug",
            "title",
            "summary",
            "body",
            "body_html",
            "author",
            "posted_by",
            "tags",
            "status",
            "publish_at",
            "created_at",
            "edited_at",
            "reads_count",
            "reading_minutes",
            "status_id",
            "url",
            "attachments",
        ]
        read_only_fields = fields

    def get_posted_by(self, obj: BlogPost) -> str | None:
        return _username(obj.posted_by)

    def get_tags(self, obj: BlogPost) -> list[str]:
        return [t.name for t in obj.tags.all()]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj: BlogPost) -> list[dict]:
        items = getattr(obj, "attachment_list", None)
        return attachments_payload(attachments_of(obj) if items is None else items)


class BlogPostWriteSerializer(StrictSerializer):
    title = serializers.CharField(max_length=TITLE_MAX * 2, allow_blank=True)
    body = serializers.CharField(max_length=POST_BODY_MAX, allow_blank=True, trim_whitespace=False)
    summary = serializers.CharField(max_length=SUMMARY_MAX * 2, allow_blank=True, default="")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=50, default=list
    )
    status = serializers.ChoiceField(choices=BlogPost.State.choices, default="draft")
    publish_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    slug = serializers.CharField(max_length=150, required=False)
    attachments = attachment_ids_field(BLOG_MAX_ATTACHMENTS)
    author = serializers.CharField(
        max_length=150,
        required=False,
        help_text="A delegate writes as this executive (their username); default: yourself",
    )


class BlogPostUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=TITLE_MAX * 2, allow_blank=True, required=False)
    body = serializers.CharField(
        max_length=POST_BODY_MAX, allow_blank=True, trim_whitespace=False, required=False
    )
    summary = serializers.CharField(max_length=SUMMARY_MAX * 2, allow_blank=True, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=50, required=False
    )
    status = serializers.ChoiceField(choices=BlogPost.State.choices, required=False)
    publish_at = serializers.DateTimeField(required=False, allow_null=True)
    attachments = attachment_ids_field(BLOG_MAX_ATTACHMENTS)


class BlogImageUploadSerializer(StrictSerializer):
    image = serializers.FileField(help_text="JPEG, PNG, GIF or WebP, at most 5 MB")
    alt = serializers.CharField(max_length=IMAGE_ALT_MAX * 2, allow_blank=True, default="")


class BlogImageSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url")
    markdown = serializers.CharField()

    class Meta:
        model = BlogImage
        fields = ["id", "url", "markdown", "width", "height"]
        read_only_fields = fields


class DelegateSerializer(serializers.Serializer):
    """One of an executive's delegates."""

    delegate = AuthorSerializer()
    created_at = serializers.DateTimeField()


class DelegatePutSerializer(StrictSerializer):
    """`PUT /api/v1/me/delegates/<username>/` takes no body: the username is the path."""

"""The API shapes of feeds: what `api.py` answers and what `events.py` broadcasts.

Services and events import this module, never `api.py`."""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attachments.selectors import attachments_of
from attachments.serializers import (
    AttachmentSerializer,
    attachment_ids_field,
    attachments_payload,
)
from core.api import StrictSerializer
from core.ids import MAX_ID
from profiles.serializers import AuthorSerializer

from . import moderation, polls
from .models import (
    COMMENT_MAX_ATTACHMENTS,
    MAX_LENGTH,
    MAX_REASON,
    STATUS_ACTIONS,
    STATUS_MAX_ATTACHMENTS,
    Comment,
    ModerationAction,
    Removal,
    Report,
    Status,
    Visibility,
)

_DATETIME = serializers.DateTimeField()


class TombstoneSerializer(serializers.ModelSerializer):
    """A removed item keeps its place as a tombstone; its words are not served."""

    body = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    is_removed = serializers.BooleanField()
    # "" while the item stands: a read-only model field would drop the blank from the schema.
    removal = serializers.ChoiceField(choices=Removal.choices, allow_blank=True, read_only=True)
    mentions = serializers.SerializerMethodField()

    def get_body(self, obj) -> str:
        return "" if obj.is_removed else obj.body

    def get_body_html(self, obj) -> str:
        return "" if obj.is_removed else obj.body_html

    def get_mentions(self, obj) -> list[str]:
        return [] if obj.is_removed else [u.username for u in obj.mentions.all()]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj) -> list[dict]:
        """`attachment_list` when the page was decorated (attachments_decorate), else read."""
        if obj.is_removed:
            return []
        items = getattr(obj, "attachment_list", None)
        return attachments_payload(attachments_of(obj) if items is None else items)


class PollVoterSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()


class PollOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField(help_text="Plain text: escape it when you show it.")
    votes_count = serializers.IntegerField()
    voters = PollVoterSerializer(
        many=True,
        required=False,
        help_text=f"Named polls only: the first {polls.VOTERS_SHOWN} voters; "
        "`votes_count` says how many there are.",
    )


class PollSerializer(serializers.Serializer):
    """The poll a status carries. Anonymous polls keep only counts: no voters, and your own
    choices are not stored (`has_voted` only)."""

    # Documents what feeds.polls.poll_payload builds; the API never serializes through it.

    id = serializers.IntegerField()
    options = PollOptionSerializer(many=True)
    multiple = serializers.BooleanField()
    anonymous = serializers.BooleanField(help_text="Only counts are kept: nobody sees voters.")
    ends_at = serializers.DateTimeField()
    is_closed = serializers.BooleanField()
    total_votes = serializers.IntegerField(help_text="Choices made, over all options.")
    voters_count = serializers.IntegerField(help_text="People who voted.")
    has_voted = serializers.BooleanField(
        required=False, help_text="Whether you voted. Absent in stream events."
    )
    my_choices = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="The options you chose; always empty in an anonymous poll (not stored). "
        "Absent in stream events.",
    )


class PollStateSerializer(serializers.Serializer):
    status_id = serializers.IntegerField()
    poll = PollSerializer()


class CommunityRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class StatusSerializer(TombstoneSerializer):
    author = AuthorSerializer()
    community = serializers.SerializerMethodField()
    removed_by = serializers.SerializerMethodField()
    reaction_counts = serializers.SerializerMethodField()
    my_reactions = serializers.SerializerMethodField()
    hashtags = serializers.SerializerMethodField()
    is_pinned = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url")
    poll = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Status
        fields = [
            "id",
            "author",
            "body",
            "body_html",
            "visibility",
            "created_at",
            "edited_at",
            "is_removed",
            "removal",
            "removal_reason",
            "removed_by",
            "comment_count",
            "comments_locked",
            "lock_reason",
            "reaction_counts",
            "my_reactions",
            "mentions",
            "hashtags",
            "is_announcement",
            "announcement_until",
            "is_pinned",
            "pinned_in_community",
            "community",
            "url",
            "poll",
            "attachments",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Status) -> dict:
        """The fields above, written out: what DRF's field-by-field walk produces for a status
        whose author has a profile (asserted equal by tests/feeds/test_feed_shape.py), at a
        fraction of its cost on a feed page. Anything else takes DRF's walk."""
        try:
            profile = instance.author.profile
        except ObjectDoesNotExist:
            return super().to_representation(instance)
        removed = instance.is_removed
        department = profile.department
        datetime = _DATETIME.to_representation
        return {
            "id": instance.pk,
            "author": {
                "username": instance.author.username,
                "display_name": str(profile.display_name),
                "title": str(profile.title),
                "department": None
                if department is None
                else {"id": department.pk, "name": department.name, "slug": department.slug},
                "avatar_url": profile.avatar_url,
                "is_app": bool(profile.is_app),
            },
            "body": "" if removed else instance.body,
            "body_html": "" if removed else instance.body_html,
            "visibility": str(instance.visibility),
            "created_at": datetime(instance.created_at),
            "edited_at": datetime(instance.edited_at),
            "is_removed": bool(removed),
            "removal": str(instance.removal),
            "removal_reason": instance.removal_reason,
            "removed_by": self.get_removed_by(instance),
            "comment_count": instance.comment_count,
            "comments_locked": bool(instance.comments_locked),
            "lock_reason": instance.lock_reason,
            "reaction_counts": self.get_reaction_counts(instance),
            "my_reactions": self.get_my_reactions(instance),
            "mentions": [] if removed else self._names(instance, "mention_names", "mentions"),
            "hashtags": [] if removed else self._names(instance, "hashtag_names", "hashtags"),
            "is_announcement": bool(instance.is_announcement),
            "announcement_until": datetime(instance.announcement_until),
            "is_pinned": self.get_is_pinned(instance),
            "pinned_in_community": bool(instance.pinned_in_community),
            "community": self.get_community(instance),
            "url": instance.get_absolute_url(),
            "poll": self.get_poll(instance),
            "attachments": self.get_attachments(instance),
        }

    @staticmethod
    def _names(status: Status, read: str, relation: str) -> list[str]:
        """`mention_names`/`hashtag_names` when selectors.statuses_by_ids read them."""
        names = getattr(status, read, None)
        if names is None:
            field = "username" if relation == "mentions" else "name"
            names = [getattr(item, field) for item in getattr(status, relation).all()]
        return names

    @extend_schema_field(CommunityRefSerializer(allow_null=True))
    def get_community(self, obj: Status) -> dict | None:
        if obj.community_id is None:
            return None
        return {"slug": obj.community.slug, "name": obj.community.name}

    def get_removed_by(self, obj: Status) -> str | None:
        return obj.removed_by.username if obj.removed_by_id else None

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "integer"}})
    def get_reaction_counts(self, obj: Status) -> dict:
        return getattr(obj, "reaction_counts", {})

    def get_my_reactions(self, obj: Status) -> list[str]:
        return getattr(obj, "my_reactions", [])

    def get_hashtags(self, obj: Status) -> list[str]:
        return [] if obj.is_removed else [t.name for t in obj.hashtags.all()]

    def get_is_pinned(self, obj: Status) -> bool:
        return bool(getattr(obj, "is_pinned", False))

    @extend_schema_field(PollSerializer(allow_null=True))
    def get_poll(self, obj: Status) -> dict | None:
        if obj.is_removed:
            return None
        if not hasattr(obj, "poll_data"):  # not decorated: as everyone sees it
            return polls.poll_state(status=obj, user=None)
        return obj.poll_data


class PollCreateSerializer(serializers.Serializer):
    """A poll for the new status: votes are final, and cannot be cast after `ends_at`."""

    # Types only: feeds.polls.poll_spec checks the rules, with the same messages as the page.

    options = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        help_text=f"{polls.MIN_OPTIONS} to {polls.MAX_OPTIONS} labels, "
        f"at most {polls.MAX_LABEL} characters each.",
    )
    multiple = serializers.BooleanField(default=False)
    anonymous = serializers.BooleanField(default=False)
    ends_at = serializers.DateTimeField(
        required=False, help_text=f"In the future, at most {polls.MAX_DURATION.days} days ahead."
    )
    duration_hours = serializers.IntegerField(
        required=False, help_text="Instead of `ends_at`. Without either: 24 hours."
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {name: "This field cannot be set." for name in sorted(unknown)}
                )
        return super().to_internal_value(data)


class StatusCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=MAX_LENGTH, allow_blank=True, trim_whitespace=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.COMPANY)
    poll = PollCreateSerializer(required=False, allow_null=True)
    community = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=50,
        help_text="A community's slug: posted there, read by whoever may read the community.",
    )
    attachments = attachment_ids_field(STATUS_MAX_ATTACHMENTS)


class StatusUpdateSerializer(StrictSerializer):
    body = serializers.CharField(
        max_length=MAX_LENGTH, allow_blank=True, trim_whitespace=False, required=False
    )
    attachments = attachment_ids_field(STATUS_MAX_ATTACHMENTS)


class RevisionSerializer(serializers.Serializer):
    body = serializers.CharField()
    body_html = serializers.CharField()
    written_at = serializers.DateTimeField()
    replaced_at = serializers.DateTimeField()
    attachments = serializers.ListField(
        child=serializers.CharField(), help_text="The ids of the attachments this version had."
    )


class CommentSerializer(TombstoneSerializer):
    author = AuthorSerializer()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "status_id",
            "author",
            "body",
            "body_html",
            "created_at",
            "is_removed",
            "removal",
            "removal_reason",
            "mentions",
            "attachments",
        ]
        read_only_fields = fields


class CommentCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=MAX_LENGTH, allow_blank=True, trim_whitespace=False)
    attachments = attachment_ids_field(COMMENT_MAX_ATTACHMENTS)


class ModerationSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=(*STATUS_ACTIONS, "remove_attachment"))
    reason = serializers.CharField(max_length=MAX_REASON, allow_blank=True)
    attachment = serializers.RegexField(
        r"^[A-Za-z0-9_-]{1,32}$",
        max_length=32,
        required=False,
        help_text="With `remove_attachment`: the id of the attachment to remove.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if (attrs["action"] == "remove_attachment") != ("attachment" in attrs):
            raise serializers.ValidationError(
                {"attachment": "Name the attachment with remove_attachment, and only then."}
            )
        return attrs


class ReportCreateSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=MAX_REASON, allow_blank=True)


class AnnouncementSerializer(StrictSerializer):
    pinned = serializers.BooleanField()
    until = serializers.DateTimeField(required=False, allow_null=True)


@extend_schema_field({"type": "integer", "nullable": True})
class TargetRefField(serializers.Field):
    """The id of an entry's registered target when it is of this field's kind, else null."""

    def __init__(self, ref: str, **kwargs):
        self.ref = ref
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, entry: ModerationAction) -> int | None:
        kind = entry.target_kind
        return entry.target_id if kind is not None and kind.ref == self.ref else None


class ModerationLogSerializer(serializers.ModelSerializer):
    moderator = AuthorSerializer()
    status_id = serializers.IntegerField(allow_null=True)
    comment_id = serializers.IntegerField(allow_null=True)
    action_label = serializers.CharField(source="get_action_display")

    def get_fields(self):
        # One id field per registered target kind (exec_blog: `question_id`), after comment_id.
        fields = super().get_fields()
        ordered = {}
        for name, field in fields.items():
            ordered[name] = field
            if name == "comment_id":
                for ref in moderation.target_refs():
                    ordered[ref] = TargetRefField(ref)
        return ordered

    class Meta:
        model = ModerationAction
        fields = [
            "id",
            "moderator",
            "action",
            "action_label",
            "status_id",
            "comment_id",
            "reason",
            "created_at",
        ]
        read_only_fields = fields


class PollVoteSerializer(StrictSerializer):
    options = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=polls.MAX_OPTIONS * 2,
    )


class ReportSerializer(serializers.ModelSerializer):
    reporter = AuthorSerializer()
    status_id = serializers.IntegerField(allow_null=True)
    comment_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Report
        fields = ["id", "reporter", "status_id", "comment_id", "reason", "created_at"]
        read_only_fields = fields

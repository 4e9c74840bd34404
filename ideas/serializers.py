"""The API shapes of ideas: what `api.py` answers and what `events.py` broadcasts.

Services and events import this module, never `api.py`."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attachments.selectors import attachments_of
from attachments.serializers import AttachmentSerializer, attachment_ids_field, attachments_payload
from feeds.serializers import AuthorSerializer, StrictSerializer
from profiles.models import Department
from profiles.serializers import DepartmentSerializer

from . import selectors
from .models import (
    DESCRIPTION_MAX,
    IDEA_MAX_ATTACHMENTS,
    REASON_MAX,
    TITLE_MAX,
    Idea,
    IdeaDecision,
    IdeaState,
)


class IdeaDecisionSerializer(serializers.ModelSerializer):
    """A state change: from, to, who, when and why (`reason` is the source, `reason_html` the
    sanitised HTML to show)."""

    decided_by = AuthorSerializer()
    to_state_label = serializers.CharField(source="get_to_state_display")

    class Meta:
        model = IdeaDecision
        fields = [
            "id",
            "from_state",
            "to_state",
            "to_state_label",
            "decided_by",
            "reason",
            "reason_html",
            "created_at",
        ]
        read_only_fields = fields


class IdeaSerializer(serializers.ModelSerializer):
    """An idea. Hidden by a moderator or withdrawn by its author, it keeps its place as a
    tombstone: its words, tags and history are not served (`is_removed`, `removal_reason`)."""

    author = AuthorSerializer()
    title = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    description_html = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField()
    department = DepartmentSerializer(allow_null=True)
    state_label = serializers.CharField(source="get_state_display")
    next_states = serializers.SerializerMethodField()
    has_voted = serializers.SerializerMethodField()
    is_mine = serializers.SerializerMethodField()
    comment_count = serializers.SerializerMethodField()
    status_id = serializers.IntegerField(source="card_id", allow_null=True)
    decision = serializers.SerializerMethodField()
    is_removed = serializers.BooleanField()
    removal = serializers.CharField()
    removal_reason = serializers.CharField()
    removed_by = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url")
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = [
            "id",
            "title",
            "description",
            "description_html",
            "author",
            "tags",
            "mentions",
            "department",
            "state",
            "state_label",
            "next_states",
            "votes_count",
            "has_voted",
            "is_mine",
            "comment_count",
            "status_id",
            "decision",
            "created_at",
            "edited_at",
            "state_changed_at",
            "last_activity_at",
            "is_removed",
            "removal",
            "removal_reason",
            "removed_by",
            "url",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj: Idea) -> list[dict]:
        if obj.is_removed:
            return []
        items = getattr(obj, "attachment_list", None)
        return attachments_payload(attachments_of(obj) if items is None else items)

    def get_title(self, obj: Idea) -> str:
        return "" if obj.is_removed else obj.title

    def get_description(self, obj: Idea) -> str:
        return "" if obj.is_removed else obj.description

    def get_description_html(self, obj: Idea) -> str:
        return "" if obj.is_removed else obj.description_html

    def get_tags(self, obj: Idea) -> list[str]:
        return [] if obj.is_removed else [t.name for t in obj.tags.all()]

    def get_mentions(self, obj: Idea) -> list[str]:
        return [] if obj.is_removed else [u.username for u in obj.mentions.all()]

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=IdeaState.choices),
            help_text="The states an executive may move it to (empty: final, or removed).",
        )
    )
    def get_next_states(self, obj: Idea) -> list[str]:
        return [] if obj.is_removed else list(obj.next_states)

    def get_has_voted(self, obj: Idea) -> bool:
        return bool(getattr(obj, "has_voted", False))

    def get_is_mine(self, obj: Idea) -> bool:
        return bool(getattr(obj, "is_mine", False))

    def get_comment_count(self, obj: Idea) -> int:
        return obj.card.comment_count if obj.card_id is not None else 0

    @extend_schema_field(IdeaDecisionSerializer(allow_null=True))
    def get_decision(self, obj: Idea):
        """The latest state change, or null while the idea is open."""
        decision = getattr(obj, "decision", None)
        if obj.is_removed or decision is None:
            return None
        return IdeaDecisionSerializer(decision).data

    def get_removed_by(self, obj: Idea) -> str | None:
        removed_by = obj.removed_by
        return removed_by.username if removed_by is not None else None


class IdeaCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=TITLE_MAX * 2, allow_blank=True)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, allow_blank=True, trim_whitespace=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=50, default=list
    )
    department = serializers.CharField(
        max_length=100,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="The department it concerns: a slug or an id; null or empty for none.",
    )
    attachments = attachment_ids_field(IDEA_MAX_ATTACHMENTS)


class IdeaUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=TITLE_MAX * 2, allow_blank=True, required=False)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, allow_blank=True, trim_whitespace=False, required=False
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=50, required=False
    )
    department = serializers.CharField(
        max_length=100,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="A slug or an id; null or empty for none.",
    )
    attachments = attachment_ids_field(IDEA_MAX_ATTACHMENTS)


class DecisionSerializer(StrictSerializer):
    state = serializers.ChoiceField(choices=IdeaState.choices)
    reason = serializers.CharField(
        max_length=REASON_MAX * 2,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Required, public: Markdown, shown with the decision to everyone.",
    )


def department_from_input(value) -> Department | None:
    try:
        return selectors.parse_department(value)
    except Department.DoesNotExist:
        raise serializers.ValidationError({"department": "No such department."}) from None

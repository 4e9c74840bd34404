from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework import status as http
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core import ratelimit
from core.api import KeysetPagination
from feeds.api import AuthorSerializer, StrictSerializer
from profiles.api import DepartmentSerializer
from profiles.models import Department

from . import selectors, services
from .models import DESCRIPTION_MAX, REASON_MAX, TITLE_MAX, Idea, IdeaDecision, IdeaState
from .permissions import can_decide, can_edit_idea

# --- Serializers ----------------------------------------------------------------------------


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
        ]
        read_only_fields = fields

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


class DecisionSerializer(StrictSerializer):
    state = serializers.ChoiceField(choices=IdeaState.choices)
    reason = serializers.CharField(
        max_length=REASON_MAX * 2,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Required, public: Markdown, shown with the decision to everyone.",
    )


VoteState = {
    "type": "object",
    "properties": {
        "idea_id": {"type": "integer"},
        "votes_count": {"type": "integer"},
        "has_voted": {"type": "boolean"},
    },
}


def _department(value) -> Department | None:
    try:
        return selectors.parse_department(value)
    except Department.DoesNotExist:
        raise serializers.ValidationError({"department": "No such department."}) from None


def _idea_payload(idea: Idea, user) -> dict:
    idea = selectors.idea_get(idea_id=idea.pk)
    selectors.decorate([idea], user=user)
    return IdeaSerializer(idea).data


def _choice(params, name: str, allowed, default: str = "") -> str:
    value = params.get(name, default) or default
    if value and value not in allowed:
        raise serializers.ValidationError({name: f"One of: {', '.join(allowed)}."})
    return value


# --- Views ----------------------------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter(
            "sort",
            str,
            enum=list(selectors.SORTS),
            description="votes (default), activity (latest proposal, edit, vote, comment or "
            "decision) or new",
        ),
        OpenApiParameter("state", str, enum=IdeaState.values, description="Only this state"),
        OpenApiParameter("department", str, description="Department slug or id"),
        OpenApiParameter("tag", str, description="A tag, without #"),
    ]
)
class IdeaListView(generics.GenericAPIView):
    """Ideas; hidden and withdrawn ones are left out (reach them by id)."""

    serializer_class = IdeaSerializer
    pagination_class = KeysetPagination

    @extend_schema(operation_id="v1_ideas_list", responses=IdeaSerializer(many=True))
    def get(self, request):
        params = request.query_params
        qs = selectors.idea_list(
            sort=_choice(params, "sort", list(selectors.SORTS), "votes"),
            state=_choice(params, "state", IdeaState.values),
            department=params.get("department", "").strip(),
            tag=params.get("tag", "").strip(),
        )
        page = self.paginator.paginate_queryset(qs, request, view=self)
        selectors.decorate(page, user=request.user)
        return self.paginator.get_paginated_response(IdeaSerializer(page, many=True).data)

    @extend_schema(request=IdeaCreateSerializer, responses={201: IdeaSerializer})
    def post(self, request):
        data = IdeaCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["department"] = _department(fields.get("department"))
        ratelimit.hit("idea", request.user.pk)
        idea = services.idea_create(author=request.user, **fields)
        return Response(_idea_payload(idea, request.user), status=http.HTTP_201_CREATED)


class IdeaDetailView(APIView):
    @extend_schema(operation_id="v1_ideas_retrieve", responses=IdeaSerializer)
    def get(self, request, idea_id: int):
        return Response(_idea_payload(selectors.idea_get(idea_id=idea_id), request.user))

    @extend_schema(request=IdeaUpdateSerializer, responses=IdeaSerializer)
    def patch(self, request, idea_id: int):
        """Its author, while the idea is open (403 otherwise)."""
        idea = selectors.idea_get(idea_id=idea_id)
        if not can_edit_idea(request.user, idea):
            raise PermissionDenied(services.edit_refusal(request.user, idea))
        data = IdeaUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "department" in fields:
            fields["department"] = _department(fields["department"])
        services.idea_update(actor=request.user, idea=idea, **fields)
        return Response(_idea_payload(idea, request.user))


class IdeaVoteView(APIView):
    """Vote (PUT) or take the vote back (DELETE); both are idempotent. Not on your own idea,
    and only while the idea is open or under review (400)."""

    def _respond(self, request, idea: Idea, created: bool = False):
        selectors.decorate([idea], user=request.user)
        return Response(
            {"idea_id": idea.pk, "votes_count": idea.votes_count, "has_voted": idea.has_voted},
            status=http.HTTP_201_CREATED if created else http.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={200: VoteState, 201: VoteState})
    def put(self, request, idea_id: int):
        idea = selectors.idea_get(idea_id=idea_id)
        created = services.idea_vote(user=request.user, idea=idea)
        return self._respond(request, idea, created)

    @extend_schema(request=None, responses={200: VoteState})
    def delete(self, request, idea_id: int):
        idea = selectors.idea_get(idea_id=idea_id)
        services.idea_unvote(user=request.user, idea=idea)
        return self._respond(request, idea)


class IdeaDecisionView(APIView):
    """Executives move an idea along the transition table, with a public reason. An impossible
    transition or a missing reason is a 400 that changes nothing."""

    @extend_schema(request=DecisionSerializer, responses=IdeaSerializer)
    def post(self, request, idea_id: int):
        if not can_decide(request.user):
            raise PermissionDenied("Only executives decide on ideas.")
        idea = selectors.idea_get(idea_id=idea_id)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.idea_decide(executive=request.user, idea=idea, **data.validated_data)
        return Response(_idea_payload(idea, request.user))


class IdeaHistoryView(generics.GenericAPIView):
    """Every state change of an idea, oldest first: from, to, who, when and why."""

    serializer_class = IdeaDecisionSerializer
    pagination_class = KeysetPagination

    @extend_schema(responses=IdeaDecisionSerializer(many=True))
    def get(self, request, idea_id: int):
        idea = selectors.idea_get(idea_id=idea_id)
        qs = selectors.idea_history(idea=idea)
        if idea.is_removed:
            qs = qs.none()
        page = self.paginator.paginate_queryset(qs, request, view=self)
        return self.paginator.get_paginated_response(IdeaDecisionSerializer(page, many=True).data)

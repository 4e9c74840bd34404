from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework import status as http
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from core import ratelimit
from core.api import KeysetPagination

from . import selectors, services
from .models import Idea, IdeaState
from .permissions import can_decide, can_edit_idea
from .serializers import (
    DecisionSerializer,
    IdeaCreateSerializer,
    IdeaDecisionSerializer,
    IdeaSerializer,
    IdeaUpdateSerializer,
    department_from_input,
)

# --- Serializers ----------------------------------------------------------------------------


VoteState = {
    "type": "object",
    "properties": {
        "idea_id": {"type": "integer"},
        "votes_count": {"type": "integer"},
        "has_voted": {"type": "boolean"},
    },
}


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
        fields["department"] = department_from_input(fields.get("department"))
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
            fields["department"] = department_from_input(fields["department"])
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

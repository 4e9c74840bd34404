from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework import status as http
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.models import Community
from communities.selectors import community_get_for_user, community_get_readable
from core import ratelimit
from core.api import KeysetPagination

from . import polls, selectors, services, status_cache
from .models import (
    Comment,
    ReactionKind,
    Status,
    Visibility,
)
from .permissions import can_moderate, can_moderate_status, may_moderate_somewhere
from .serializers import (
    AnnouncementSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    ModerationLogSerializer,
    ModerationSerializer,
    PollStateSerializer,
    PollVoteSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    RevisionSerializer,
    StatusCreateSerializer,
    StatusSerializer,
    StatusUpdateSerializer,
)

# --- Serializers ----------------------------------------------------------------------------


# --- Views ----------------------------------------------------------------------------------


def _page_response(view, qs, serializer_class, request):
    if serializer_class is StatusSerializer:
        # The page's rows only; the cards come from the cache (feeds.status_cache).
        page = view.paginator.paginate_queryset(selectors.status_rows(qs), request, view=view)
        data = status_cache.status_cards_json(page, user=request.user)
        return view.paginator.get_encoded_response(data)
    page = view.paginator.paginate_queryset(qs, request, view=view)
    if serializer_class is CommentSerializer:
        selectors.decorate_comments(page)
    data = serializer_class(page, many=True).data
    return view.paginator.get_paginated_response(data)


@extend_schema(
    parameters=[
        OpenApiParameter("author", str, description="Username"),
        OpenApiParameter("hashtag", str, description="A tag, without #"),
        OpenApiParameter("q", str, description="Search words"),
    ]
)
class StatusListView(generics.GenericAPIView):
    serializer_class = StatusSerializer
    pagination_class = KeysetPagination
    # Counted in the throttle's round trip (core.ratelimit.ApiThrottle).
    rate_limits = {"POST": "status"}

    @extend_schema(operation_id="v1_statuses_list", responses=StatusSerializer(many=True))
    def get(self, request):
        params = request.query_params
        qs = selectors.status_list(
            user=request.user,
            author=params.get("author", ""),
            hashtag=params.get("hashtag", ""),
            q=params.get("q", ""),
        )
        return _page_response(self, qs, StatusSerializer, request)

    @extend_schema(request=StatusCreateSerializer, responses={201: StatusSerializer})
    def post(self, request):
        data = StatusCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        slug = fields.pop("community", None)
        community = None
        if slug:
            try:
                community = community_get_for_user(user=request.user, slug=slug)
            except Http404:
                # An app account is no member: where it may post is decided by the service
                # (app_accounts), which answers "no such community" for a secret one too.
                community = None
                if request.user.profile.is_app:
                    community = Community.objects.filter(slug=slug).first()
                if community is None:
                    raise ValidationError({"community": "No such community."}) from None
        ratelimit.hit("status", request.user.pk, request=request)
        status = services.status_create(author=request.user, community=community, **fields)
        # Built once for the live event; a poll carries viewer fields, so it is built again.
        payload = getattr(status, "live_payload", None)
        if payload is None or payload["poll"] is not None:
            payload = _status_payload(status, request.user)
        return Response(payload, status=http.HTTP_201_CREATED)


def _status_payload(status: Status, user) -> dict:
    """The status as `user` sees it now (read again: 404 if they no longer may)."""
    row = selectors.status_get_for_user(user=user, status_id=status.pk, row_only=True)
    return status_cache.status_cards([row], user=user)[0]


class CommunityFeedView(generics.GenericAPIView):
    """A community's statuses, newest first (pinned ones lead the first page, `is_pinned`).
    404 to whoever may not read the community."""

    serializer_class = StatusSerializer
    pagination_class = KeysetPagination

    @extend_schema(responses=StatusSerializer(many=True))
    def get(self, request, slug: str):
        club = community_get_readable(user=request.user, slug=slug)
        pinned = []
        if not request.query_params.get("cursor"):
            pinned = list(
                selectors.status_rows(selectors.community_pinned(user=request.user, community=club))
            )
        qs = selectors.status_rows(selectors.community_statuses(user=request.user, community=club))
        page = pinned + list(self.paginator.paginate_queryset(qs, request, view=self))
        data = status_cache.status_cards_json(
            page, user=request.user, pinned_ids=[status.pk for status in pinned]
        )
        return self.paginator.get_encoded_response(data)


class FeedView(generics.GenericAPIView):
    """The home timeline. On the first page, pinned announcements come first (`is_pinned`)."""

    serializer_class = StatusSerializer
    pagination_class = KeysetPagination

    @extend_schema(responses=StatusSerializer(many=True))
    def get(self, request):
        user = request.user
        pinned = []

        def fetch(after, n):
            # One statement: the page, the pinned announcements on the first page, and the
            # viewer's reactions to both (selectors.feed_page).
            pins, rows = selectors.feed_page(
                user=user, after=after, limit=n, pinned=after is None, reactions=True
            )
            pinned.extend(pins)
            return rows

        page = self.paginator.paginate_source(fetch, request, fields=["created_at", "id"])
        # The rows decided who sees what; the cards come from the cache (feeds.status_cache).
        data = status_cache.status_cards_json(
            pinned + page, user=user, pinned_ids=[status.pk for status in pinned]
        )
        return self.paginator.get_encoded_response(data)


class StatusDetailView(APIView):
    @extend_schema(responses=StatusSerializer)
    def get(self, request, status_id: int):
        row = selectors.status_get_for_user(user=request.user, status_id=status_id, row_only=True)
        return Response(status_cache.status_cards([row], user=request.user)[0])

    @extend_schema(request=StatusUpdateSerializer, responses=StatusSerializer)
    def patch(self, request, status_id: int):
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        data = StatusUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.status_update(actor=request.user, status=status, **data.validated_data)
        return Response(_status_payload(status, request.user))

    @extend_schema(request=None, responses=StatusSerializer)
    def delete(self, request, status_id: int):
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        services.status_delete(actor=request.user, status=status)
        return Response(_status_payload(status, request.user))


class StatusHistoryView(APIView):
    @extend_schema(responses=RevisionSerializer(many=True))
    def get(self, request, status_id: int):
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        if status.is_removed:
            return Response({"results": [], "next": None})
        revisions = selectors.status_history(status=status)
        return Response({"results": RevisionSerializer(revisions, many=True).data, "next": None})


class CommentListView(generics.GenericAPIView):
    serializer_class = CommentSerializer
    pagination_class = KeysetPagination
    rate_limits = {"POST": "comment"}

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request, status_id: int):
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        if status.is_removed:
            qs = selectors.comments_for(status=status).none()
        else:
            qs = selectors.comments_for(status=status)
        return _page_response(self, qs, CommentSerializer, request)

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def post(self, request, status_id: int):
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.hit("comment", request.user.pk, request=request)
        comment = services.comment_create(author=request.user, status=status, **data.validated_data)
        comment = selectors.comments_for(status=status).get(pk=comment.pk)
        return Response(CommentSerializer(comment).data, status=http.HTTP_201_CREATED)


ReactionState = {
    "type": "object",
    "properties": {
        "status_id": {"type": "integer"},
        "reaction_counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "my_reactions": {"type": "array", "items": {"type": "string"}},
    },
}


class ReactionView(APIView):
    """Add or take back one kind of reaction; both are idempotent."""

    def _respond(self, request, status: Status, created: bool | None = None):
        selectors.decorate([status], user=request.user)
        code = http.HTTP_201_CREATED if created else http.HTTP_200_OK
        return Response(
            {
                "status_id": status.pk,
                "reaction_counts": status.reaction_counts,
                "my_reactions": status.my_reactions,
            },
            status=code,
        )

    def _status(self, request, status_id: int, kind: str) -> Status:
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        if kind not in ReactionKind.values:
            raise NotFound(f"Unknown reaction; one of: {', '.join(ReactionKind.values)}.")
        return status

    @extend_schema(request=None, responses={200: ReactionState, 201: ReactionState})
    def put(self, request, status_id: int, kind: str):
        status = self._status(request, status_id, kind)
        created = services.reaction_add(user=request.user, status=status, kind=kind)
        return self._respond(request, status, created)

    @extend_schema(request=None, responses={200: ReactionState})
    def delete(self, request, status_id: int, kind: str):
        status = self._status(request, status_id, kind)
        services.reaction_remove(user=request.user, status=status, kind=kind)
        return self._respond(request, status)


class PollVoteView(APIView):
    """Vote in the poll of a status. Votes are final: a second vote, a closed poll, an option
    of another poll or several options in a single-choice poll are 400 and change nothing."""

    @extend_schema(request=PollVoteSerializer, responses={200: PollStateSerializer})
    def put(self, request, status_id: int):
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        data = PollVoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        polls.poll_vote(user=request.user, status=status, option_ids=data.validated_data["options"])
        return Response(
            {"status_id": status.pk, "poll": polls.poll_state(status=status, user=request.user)}
        )


class StatusModerationView(APIView):
    @extend_schema(request=ModerationSerializer, responses={201: ModerationLogSerializer})
    def post(self, request, status_id: int):
        if not may_moderate_somewhere(request.user):
            raise PermissionDenied("Only moderators moderate.")
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        if not can_moderate_status(request.user, status):
            raise PermissionDenied("Only moderators moderate.")
        data = ModerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = _moderate(request.user, data.validated_data, status=status)
        return Response(ModerationLogSerializer(entry).data, status=http.HTTP_201_CREATED)


class CommentModerationView(APIView):
    @extend_schema(request=ModerationSerializer, responses={201: ModerationLogSerializer})
    def post(self, request, comment_id: int):
        if not may_moderate_somewhere(request.user):
            raise PermissionDenied("Only moderators moderate.")
        comment = _comment_for(request.user, comment_id)
        if not can_moderate_status(request.user, comment.status):
            raise PermissionDenied("Only moderators moderate.")
        data = ModerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = _moderate(request.user, data.validated_data, comment=comment)
        return Response(ModerationLogSerializer(entry).data, status=http.HTTP_201_CREATED)


def _moderate(moderator, data: dict, **target):
    """`remove_attachment` takes one attachment off; the other actions act on the item."""
    if data["action"] == "remove_attachment":
        return services.attachment_moderate(
            moderator=moderator, token=data["attachment"], reason=data["reason"], **target
        )
    return services.moderation_apply(moderator=moderator, **data, **target)


def _comment_for(user, comment_id: int) -> Comment:
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        raise Http404("No such comment.")
    # Visible only where its status is visible.
    selectors.status_get_for_user(user=user, status_id=comment.status_id)
    return comment


class StatusReportView(APIView):
    @extend_schema(request=ReportCreateSerializer, responses={201: None})
    def post(self, request, status_id: int):
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.report_create(reporter=request.user, status=status, **data.validated_data)
        return Response({"detail": "Thank you. A moderator will look at it."}, status=201)


class CommentReportView(APIView):
    @extend_schema(request=ReportCreateSerializer, responses={201: None})
    def post(self, request, comment_id: int):
        comment = _comment_for(request.user, comment_id)
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.report_create(reporter=request.user, comment=comment, **data.validated_data)
        return Response({"detail": "Thank you. A moderator will look at it."}, status=201)


class AnnouncementView(APIView):
    @extend_schema(request=AnnouncementSerializer, responses=StatusSerializer)
    def post(self, request, status_id: int):
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        data = AnnouncementSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.status_announce(
            actor=request.user,
            status=status,
            pinned=data.validated_data["pinned"],
            until=data.validated_data.get("until"),
        )
        return Response(_status_payload(status, request.user))


class ModerationLogView(generics.ListAPIView):
    serializer_class = ModerationLogSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.moderation_log(user=self.request.user)


class OpenReportListView(generics.ListAPIView):
    """Moderators only: reports nobody has acted on yet, newest first."""

    serializer_class = ReportSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        if not can_moderate(self.request.user):
            raise PermissionDenied("Only moderators see reports.")
        return selectors.open_reports()


class BenchFloorView(APIView):
    """The floor of the feed benchmark (routed only with `DJANGO_BENCH_ENDPOINTS`): the feed's
    stack (middleware, authentication, permission, throttle, DRF rendering) around a constant
    page of 20 real statuses, serialised once per process."""

    schema = None
    page: dict | None = None

    def get(self, request):
        if BenchFloorView.page is None:
            statuses = list(Status.objects.filter(visibility=Visibility.COMPANY, removal="")[:20])
            selectors.decorate(statuses, user=None)
            BenchFloorView.page = {
                "results": StatusSerializer(statuses, many=True).data,
                "next": request.build_absolute_uri("/api/v1/feed/?cursor=" + "x" * 40),
            }
        return Response(BenchFloorView.page)

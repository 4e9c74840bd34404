from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework import status as http
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from enterprise_social import ratelimit
from enterprise_social.api import KeysetPagination
from enterprise_social.ids import MAX_ID
from profiles.api import DepartmentSerializer

from . import polls, selectors, services
from .models import (
    Comment,
    ModerationAction,
    Notification,
    ReactionKind,
    Removal,
    Report,
    Status,
    Visibility,
)
from .permissions import can_moderate

# --- Serializers ----------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so nothing can be slipped in (author, created_at…)."""

    def validate(self, attrs):
        unknown = set(getattr(self, "initial_data", None) or {}) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: "This field cannot be set." for name in sorted(unknown)}
            )
        return attrs


class AuthorSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField(source="profile.display_name")
    title = serializers.CharField(source="profile.title")
    department = DepartmentSerializer(source="profile.department", allow_null=True)
    avatar_url = serializers.CharField(source="profile.avatar_url")


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


_DATETIME = serializers.DateTimeField()


class StatusSerializer(TombstoneSerializer):
    author = AuthorSerializer()
    removed_by = serializers.SerializerMethodField()
    reaction_counts = serializers.SerializerMethodField()
    my_reactions = serializers.SerializerMethodField()
    hashtags = serializers.SerializerMethodField()
    is_pinned = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url")
    poll = serializers.SerializerMethodField()

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
            "url",
            "poll",
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
            "url": instance.get_absolute_url(),
            "poll": self.get_poll(instance),
        }

    @staticmethod
    def _names(status: Status, read: str, relation: str) -> list[str]:
        """`mention_names`/`hashtag_names` when selectors.statuses_by_ids read them."""
        names = getattr(status, read, None)
        if names is None:
            field = "username" if relation == "mentions" else "name"
            names = [getattr(item, field) for item in getattr(status, relation).all()]
        return names

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
    body = serializers.CharField(
        max_length=services.MAX_LENGTH, allow_blank=True, trim_whitespace=False
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.COMPANY)
    poll = PollCreateSerializer(required=False, allow_null=True)


class StatusUpdateSerializer(StrictSerializer):
    body = serializers.CharField(
        max_length=services.MAX_LENGTH, allow_blank=True, trim_whitespace=False
    )


class RevisionSerializer(serializers.Serializer):
    body = serializers.CharField()
    body_html = serializers.CharField()
    written_at = serializers.DateTimeField()
    replaced_at = serializers.DateTimeField()


class CommentSerializer(TombstoneSerializer):
    author = AuthorSerializer()

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
        ]
        read_only_fields = fields


class CommentCreateSerializer(StrictSerializer):
    body = serializers.CharField(
        max_length=services.MAX_LENGTH, allow_blank=True, trim_whitespace=False
    )


class ModerationSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=services.STATUS_ACTIONS)
    reason = serializers.CharField(max_length=services.MAX_REASON, allow_blank=True)


class ReportCreateSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=services.MAX_REASON, allow_blank=True)


class AnnouncementSerializer(StrictSerializer):
    pinned = serializers.BooleanField()
    until = serializers.DateTimeField(required=False, allow_null=True)


class ModerationLogSerializer(serializers.ModelSerializer):
    moderator = AuthorSerializer()
    status_id = serializers.IntegerField(allow_null=True)
    comment_id = serializers.IntegerField(allow_null=True)
    question_id = serializers.IntegerField(allow_null=True)
    action_label = serializers.CharField(source="get_action_display")

    class Meta:
        model = ModerationAction
        fields = [
            "id",
            "moderator",
            "action",
            "action_label",
            "status_id",
            "comment_id",
            "question_id",
            "reason",
            "created_at",
        ]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    actor = AuthorSerializer()
    others_count = serializers.IntegerField()
    status_id = serializers.IntegerField(allow_null=True)
    comment_id = serializers.IntegerField(allow_null=True)
    question_id = serializers.IntegerField(allow_null=True)
    idea_id = serializers.IntegerField(allow_null=True)
    is_read = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "actor",
            "others_count",
            "status_id",
            "comment_id",
            "question_id",
            "idea_id",
            "text",
            "url",
            "is_read",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None

    def get_text(self, obj: Notification) -> str:
        return notification_text(obj)

    def get_url(self, obj: Notification) -> str:
        return notification_url(obj)


def notification_text(obj: Notification) -> str:
    who = obj.actor.profile.display_name
    if obj.others_count == 1:
        who += " and 1 other"
    elif obj.others_count > 1:
        who += f" and {obj.others_count} others"
    if (
        obj.kind == Notification.Kind.ANSWER
        and obj.question_id
        and obj.question.asker_id != obj.recipient_id
    ):
        return f"{who} answered a question you voted for"
    return f"{who} {obj.get_kind_display()}"


def notification_url(obj: Notification) -> str:
    if obj.blog_post_id:
        return obj.blog_post.get_absolute_url()
    if obj.idea_id:
        return f"/ideas/{obj.idea_id}/"
    if obj.question_id:
        return f"/ask/{obj.question_id}/"
    if obj.status_id:
        anchor = f"#comment-{obj.comment_id}" if obj.comment_id else ""
        return f"/statuses/{obj.status_id}/{anchor}"
    return f"/people/{obj.actor.username}/"


class NotificationsReadSerializer(StrictSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=500,
    )


# --- Views ----------------------------------------------------------------------------------


def _page_response(view, qs, serializer_class, request):
    page = view.paginator.paginate_queryset(qs, request, view=view)
    if serializer_class is StatusSerializer:
        selectors.decorate(page, user=request.user)
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
        ratelimit.hit("status", request.user.pk)
        status = services.status_create(author=request.user, **data.validated_data)
        # Built once for the live event; a poll carries viewer fields, so it is built again.
        payload = getattr(status, "live_payload", None)
        if payload is None or payload["poll"] is not None:
            payload = _status_payload(status, request.user)
        return Response(payload, status=http.HTTP_201_CREATED)


def _status_payload(status: Status, user) -> dict:
    status = selectors.status_get_for_user(user=user, status_id=status.pk)
    selectors.decorate([status], user=user)
    return StatusSerializer(status).data


class FeedView(generics.GenericAPIView):
    """The home timeline. On the first page, pinned announcements come first (`is_pinned`)."""

    serializer_class = StatusSerializer
    pagination_class = KeysetPagination

    @extend_schema(responses=StatusSerializer(many=True))
    def get(self, request):
        user = request.user
        pinned_ids = []
        if not request.query_params.get("cursor"):
            pinned_ids = list(
                selectors.pinned_announcements(user=user).values_list("id", flat=True)
            )
        pinned = []

        def fetch(after, n):
            # One read of the page's statuses, pinned ones included.
            ids = selectors.feed_page_ids(user=user, after=after, limit=n)
            found = selectors.statuses_by_ids(pinned_ids + ids)
            pinned.extend(found[pk] for pk in pinned_ids if pk in found)
            return [found[pk] for pk in ids if pk in found]

        page = self.paginator.paginate_source(fetch, request, fields=["created_at", "id"])
        for status in pinned:
            status.is_pinned = True
        page = pinned + page
        selectors.decorate(page, user=user)
        return self.paginator.get_paginated_response(StatusSerializer(page, many=True).data)


class StatusDetailView(APIView):
    @extend_schema(responses=StatusSerializer)
    def get(self, request, status_id: int):
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        return Response(_status_payload(status, request.user))

    @extend_schema(request=StatusUpdateSerializer, responses=StatusSerializer)
    def patch(self, request, status_id: int):
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        data = StatusUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.status_update(actor=request.user, status=status, body=data.validated_data["body"])
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
        ratelimit.hit("comment", request.user.pk)
        comment = services.comment_create(
            author=request.user, status=status, body=data.validated_data["body"]
        )
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
            from rest_framework.exceptions import NotFound

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


class PollVoteSerializer(StrictSerializer):
    options = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=polls.MAX_OPTIONS * 2,
    )


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
        if not can_moderate(request.user):
            raise PermissionDenied("Only moderators moderate.")
        status = selectors.status_get_for_user(user=request.user, status_id=status_id)
        data = ModerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.moderation_apply(
            moderator=request.user, status=status, **data.validated_data
        )
        return Response(ModerationLogSerializer(entry).data, status=http.HTTP_201_CREATED)


class CommentModerationView(APIView):
    @extend_schema(request=ModerationSerializer, responses={201: ModerationLogSerializer})
    def post(self, request, comment_id: int):
        if not can_moderate(request.user):
            raise PermissionDenied("Only moderators moderate.")
        comment = _comment_for(request.user, comment_id)
        data = ModerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.moderation_apply(
            moderator=request.user, comment=comment, **data.validated_data
        )
        return Response(ModerationLogSerializer(entry).data, status=http.HTTP_201_CREATED)


def _comment_for(user, comment_id: int) -> Comment:
    from django.http import Http404

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
        return selectors.moderation_log()


class ReportSerializer(serializers.ModelSerializer):
    reporter = AuthorSerializer()
    status_id = serializers.IntegerField(allow_null=True)
    comment_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Report
        fields = ["id", "reporter", "status_id", "comment_id", "reason", "created_at"]
        read_only_fields = fields


class OpenReportListView(generics.ListAPIView):
    """Moderators only: reports nobody has acted on yet, newest first."""

    serializer_class = ReportSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        if not can_moderate(self.request.user):
            raise PermissionDenied("Only moderators see reports.")
        return selectors.open_reports()


class NotificationListView(generics.ListAPIView):
    serializer_class = NotificationSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)


class NotificationsReadView(APIView):
    @extend_schema(
        request=NotificationsReadSerializer,
        responses={200: {"type": "object", "properties": {"unread_count": {"type": "integer"}}}},
    )
    def post(self, request):
        data = NotificationsReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"unread_count": selectors.unread_notification_count(user=request.user)})


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

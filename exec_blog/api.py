from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework import status as http
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from enterprise_social import ratelimit
from enterprise_social.api import KeysetPagination
from enterprise_social.ids import MAX_ID
from feeds import selectors as feed_selectors
from feeds import services as feed_services
from feeds.api import (
    AuthorSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    ModerationLogSerializer,
    StrictSerializer,
)
from feeds.services import MAX_LENGTH, MAX_REASON

from . import selectors, services
from .models import (
    BODY_MAX,
    IMAGE_ALT_MAX,
    POST_BODY_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    BlogImage,
    BlogPost,
    Question,
)
from .permissions import can_edit_post, can_moderate_questions, can_write_post

# --- Serializers ----------------------------------------------------------------------------


class AnswerSerializer(serializers.Serializer):
    body_html = serializers.CharField(source="answer_html")
    answered_by = AuthorSerializer()
    answered_at = serializers.DateTimeField()


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


class QuestionModerationSerializer(StrictSerializer):
    action = serializers.ChoiceField(choices=["hide", "restore", "merge"])
    reason = serializers.CharField(max_length=MAX_REASON, allow_blank=True)
    into = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)


VoteState = {
    "type": "object",
    "properties": {
        "question_id": {"type": "integer"},
        "votes_count": {"type": "integer"},
        "has_voted": {"type": "boolean"},
    },
}


def _question_payload(question: Question, user) -> dict:
    question = selectors.question_get(question_id=question.pk)
    selectors.decorate([question], user=user)
    return QuestionSerializer(question).data


# --- Views ----------------------------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter("sort", str, enum=["votes", "recent"], description="Default: votes"),
        OpenApiParameter("answered", bool, description="Only answered (true) or open (false)"),
    ]
)
class QuestionListView(generics.GenericAPIView):
    """Questions to leadership; hidden and merged ones are left out (reach them by id)."""

    serializer_class = QuestionSerializer
    pagination_class = KeysetPagination

    @extend_schema(operation_id="v1_questions_list", responses=QuestionSerializer(many=True))
    def get(self, request):
        params = request.query_params
        qs = selectors.question_list(
            sort=params.get("sort", "votes"),
            answered=selectors.parse_answered(params.get("answered")),
        )
        page = self.paginator.paginate_queryset(qs, request, view=self)
        selectors.decorate(page, user=request.user)
        return self.paginator.get_paginated_response(QuestionSerializer(page, many=True).data)

    @extend_schema(request=QuestionCreateSerializer, responses={201: QuestionSerializer})
    def post(self, request):
        data = QuestionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        question = services.question_create(asker=request.user, **data.validated_data)
        return Response(_question_payload(question, request.user), status=http.HTTP_201_CREATED)


class QuestionDetailView(APIView):
    @extend_schema(operation_id="v1_questions_retrieve", responses=QuestionSerializer)
    def get(self, request, question_id: int):
        question = selectors.question_get(question_id=question_id)
        return Response(_question_payload(question, request.user))


class QuestionVoteView(APIView):
    """Upvote (PUT) or take the vote back (DELETE); both are idempotent."""

    def _respond(self, request, question: Question, created: bool = False):
        selectors.decorate([question], user=request.user)
        return Response(
            {
                "question_id": question.pk,
                "votes_count": question.votes_count,
                "has_voted": question.has_voted,
            },
            status=http.HTTP_201_CREATED if created else http.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={200: VoteState, 201: VoteState})
    def put(self, request, question_id: int):
        question = selectors.question_get(question_id=question_id)
        created = services.question_vote(user=request.user, question=question)
        return self._respond(request, question, created)

    @extend_schema(request=None, responses={200: VoteState})
    def delete(self, request, question_id: int):
        question = selectors.question_get(question_id=question_id)
        services.question_unvote(user=request.user, question=question)
        return self._respond(request, question)


class QuestionAnswerView(APIView):
    @extend_schema(request=AnswerCreateSerializer, responses=QuestionSerializer)
    def post(self, request, question_id: int):
        question = selectors.question_get(question_id=question_id)
        data = AnswerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.question_answer(
            executive=request.user, question=question, body=data.validated_data["body"]
        )
        return Response(_question_payload(question, request.user))


class QuestionModerationView(APIView):
    @extend_schema(request=QuestionModerationSerializer, responses={201: ModerationLogSerializer})
    def post(self, request, question_id: int):
        if not can_moderate_questions(request.user):
            raise PermissionDenied("Only moderators moderate.")
        question = selectors.question_get(question_id=question_id)
        data = QuestionModerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        into_id = data.validated_data.pop("into", None)
        into = None
        if into_id is not None:
            into = Question.objects.filter(pk=into_id).first()
            if into is None:
                raise serializers.ValidationError({"into": "No such question."})
        entry = services.question_moderate(
            moderator=request.user, question=question, into=into, **data.validated_data
        )
        return Response(ModerationLogSerializer(entry).data, status=http.HTTP_201_CREATED)


# --- Executive blog -------------------------------------------------------------------------


class BlogPostSerializer(serializers.ModelSerializer):
    author = AuthorSerializer()
    tags = serializers.SerializerMethodField()
    reading_minutes = serializers.IntegerField()
    status_id = serializers.IntegerField(source="card_id", allow_null=True)
    url = serializers.CharField(source="get_absolute_url")

    class Meta:
        model = BlogPost
        fields = [
            "slug",
            "title",
            "summary",
            "body",
            "body_html",
            "author",
            "tags",
            "status",
            "publish_at",
            "created_at",
            "edited_at",
            "reads_count",
            "reading_minutes",
            "status_id",
            "url",
        ]
        read_only_fields = fields

    def get_tags(self, obj: BlogPost) -> list[str]:
        return [t.name for t in obj.tags.all()]


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


def _post_payload(post: BlogPost, user) -> dict:
    return BlogPostSerializer(selectors.post_get_for_user(user=user, slug=post.slug)).data


@extend_schema(
    parameters=[
        OpenApiParameter(
            "mine", bool, description="Only your own drafts and scheduled posts (executives)"
        )
    ]
)
class BlogPostListView(generics.GenericAPIView):
    """Published posts, newest first. Reading a list announces posts that came due."""

    serializer_class = BlogPostSerializer
    pagination_class = KeysetPagination

    @extend_schema(operation_id="v1_blog_posts_list", responses=BlogPostSerializer(many=True))
    def get(self, request):
        services.posts_release_due()
        if request.query_params.get("mine") == "true":
            qs = selectors.posts_unpublished_by(user=request.user)
        else:
            qs = selectors.posts_published()
        page = self.paginator.paginate_queryset(qs, request, view=self)
        return self.paginator.get_paginated_response(BlogPostSerializer(page, many=True).data)

    @extend_schema(request=BlogPostWriteSerializer, responses={201: BlogPostSerializer})
    def post(self, request):
        if not can_write_post(request.user):
            raise PermissionDenied("Only executives write blog posts.")
        data = BlogPostWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_create(author=request.user, **data.validated_data)
        return Response(_post_payload(post, request.user), status=http.HTTP_201_CREATED)


class BlogPostDetailView(APIView):
    """A post. Reading it here does not count a read; opening its page does."""

    @extend_schema(operation_id="v1_blog_posts_retrieve", responses=BlogPostSerializer)
    def get(self, request, slug: str):
        return Response(
            _post_payload(selectors.post_get_for_user(user=request.user, slug=slug), request.user)
        )

    @extend_schema(request=BlogPostUpdateSerializer, responses=BlogPostSerializer)
    def patch(self, request, slug: str):
        post = selectors.post_get_for_user(user=request.user, slug=slug)
        if not can_edit_post(request.user, post):
            raise PermissionDenied("Only its author can edit a post.")
        data = BlogPostUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_update(actor=request.user, post=post, **data.validated_data)
        return Response(_post_payload(post, request.user))


class BlogCommentListView(generics.GenericAPIView):
    """The comments of a post: they live on its feed card, with the feeds' rules."""

    serializer_class = CommentSerializer
    pagination_class = KeysetPagination

    def _card(self, request, slug: str):
        post = selectors.post_get_for_user(user=request.user, slug=slug)
        if post.card_id is None or not post.is_live:
            raise NotFound("This post takes comments once it is published.")
        return feed_selectors.status_base_qs().get(pk=post.card_id)

    @extend_schema(operation_id="v1_blog_comments_list", responses=CommentSerializer(many=True))
    def get(self, request, slug: str):
        card = self._card(request, slug)
        qs = feed_selectors.comments_for(status=card)
        if card.is_removed:
            qs = qs.none()
        page = self.paginator.paginate_queryset(qs, request, view=self)
        return self.paginator.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def post(self, request, slug: str):
        card = self._card(request, slug)
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ratelimit.hit("comment", request.user.pk)
        comment = feed_services.comment_create(
            author=request.user, status=card, body=data.validated_data["body"]
        )
        comment = feed_selectors.comments_for(status=card).get(pk=comment.pk)
        return Response(CommentSerializer(comment).data, status=http.HTTP_201_CREATED)


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


class BlogImageListView(APIView):
    """Upload an image for a post (its author only); paste `markdown` into the body."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=BlogImageUploadSerializer, responses={201: BlogImageSerializer})
    def post(self, request, slug: str):
        post = selectors.post_get_for_user(user=request.user, slug=slug)
        if not can_edit_post(request.user, post):
            raise PermissionDenied("Only its author can add images to a post.")
        data = BlogImageUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        image = services.post_image_add(
            actor=request.user,
            post=post,
            upload=data.validated_data["image"],
            alt=data.validated_data["alt"],
        )
        return Response(BlogImageSerializer(image).data, status=http.HTTP_201_CREATED)

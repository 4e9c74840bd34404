from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework import status as http
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from attachments.selectors import attachments_decorate
from core import ratelimit
from core.api import KeysetPagination
from feeds import selectors as feed_selectors
from feeds import services as feed_services
from feeds.serializers import (
    CommentCreateSerializer,
    CommentSerializer,
    ModerationLogSerializer,
)

from . import selectors, services
from .models import (
    BlogPost,
    Question,
)
from .permissions import can_edit_post, can_moderate_questions, can_write_post
from .serializers import (
    AnswerCreateSerializer,
    BlogImageSerializer,
    BlogImageUploadSerializer,
    BlogPostSerializer,
    BlogPostUpdateSerializer,
    BlogPostWriteSerializer,
    QuestionCreateSerializer,
    QuestionModerationSerializer,
    QuestionSerializer,
)

# --- Serializers ----------------------------------------------------------------------------


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
    """Published posts, newest first."""

    serializer_class = BlogPostSerializer
    pagination_class = KeysetPagination

    @extend_schema(operation_id="v1_blog_posts_list", responses=BlogPostSerializer(many=True))
    def get(self, request):
        if request.query_params.get("mine") == "true":
            qs = selectors.posts_unpublished_by(user=request.user)
        else:
            qs = selectors.posts_published()
        page = self.paginator.paginate_queryset(qs, request, view=self)
        attachments_decorate(page)
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

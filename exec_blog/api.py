from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
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
from profiles.models import User

from . import delegates, selectors, services
from .models import (
    BlogPost,
    Question,
)
from .permissions import (
    can_edit_post,
    can_have_delegates,
    can_moderate_questions,
    can_write_post,
    writes_for_anyone,
)
from .serializers import (
    AnswerCreateSerializer,
    BlogImageSerializer,
    BlogImageUploadSerializer,
    BlogPostSerializer,
    BlogPostUpdateSerializer,
    BlogPostWriteSerializer,
    DelegatePutSerializer,
    DelegateSerializer,
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


def _acting_for(user, username: str | None):
    """Whom a write speaks for: `username` (a delegate acting for an executive; the service
    checks the delegation) or, without it, the caller."""
    if not username or username == user.username:
        return user
    executive = User.objects.filter(username=username).first()
    if executive is None:
        raise serializers.ValidationError({"author": f"Nobody is called {username!r}."})
    return executive


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
        executive = _acting_for(request.user, data.validated_data.get("author"))
        services.question_answer(
            executive=executive,
            question=question,
            body=data.validated_data["body"],
            actor=request.user,
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
        if not (can_write_post(request.user) or writes_for_anyone(request.user)):
            raise PermissionDenied("Only executives and their delegates write blog posts.")
        data = BlogPostWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        author = _acting_for(request.user, fields.pop("author", None))
        post = services.post_create(author=author, actor=request.user, **fields)
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
            raise PermissionDenied("Only its author or their delegates can edit a post.")
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
            raise PermissionDenied("Only its author or their delegates can add images to a post.")
        data = BlogImageUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        image = services.post_image_add(
            actor=request.user,
            post=post,
            upload=data.validated_data["image"],
            alt=data.validated_data["alt"],
        )
        return Response(BlogImageSerializer(image).data, status=http.HTTP_201_CREATED)


# --- Delegates ------------------------------------------------------------------------------


DelegateList = {
    "type": "object",
    "properties": {
        "results": {"type": "array", "items": {"type": "object"}},
        "next": {"type": "string", "nullable": True},
    },
}


DelegateList = inline_serializer(
    "DelegateList",
    {
        "results": DelegateSerializer(many=True),
        "next": serializers.CharField(allow_null=True),
    },
)


class MyDelegatesView(APIView):
    """The caller's delegates: who may write blog posts and answers as them (one page: an
    executive names a handful; `next` is always null, as the other lists' shape has it)."""

    @extend_schema(responses=DelegateList)
    def get(self, request):
        rows = delegates.delegates_of(executive=request.user)
        return Response({"results": DelegateSerializer(rows, many=True).data, "next": None})


class MyDelegateView(APIView):
    """Name (PUT, idempotent) or remove (DELETE) a delegate. Executives only."""

    def _person(self, request, username: str) -> User:
        if not can_have_delegates(request.user):
            raise PermissionDenied("Only executives name delegates.")
        person = User.objects.select_related("profile").filter(username=username).first()
        if person is None:
            raise NotFound(f"Nobody is called {username!r}.")
        return person

    @extend_schema(request=None, responses={200: DelegateSerializer, 201: DelegateSerializer})
    def put(self, request, username: str):
        DelegatePutSerializer(data=request.data).is_valid(raise_exception=True)
        person = self._person(request, username)
        delegation, created = delegates.delegate_add(executive=request.user, delegate=person)
        delegation = delegates.delegates_of(executive=request.user).get(pk=delegation.pk)
        return Response(
            DelegateSerializer(delegation).data,
            status=http.HTTP_201_CREATED if created else http.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, username: str):
        person = self._person(request, username)
        delegates.delegate_remove(executive=request.user, delegate=person)
        return Response(status=http.HTTP_204_NO_CONTENT)

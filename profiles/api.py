from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core import ratelimit
from core.api import KeysetPagination

from . import selectors, services
from .export import personal_export
from .serializers import (
    DepartmentWithCountSerializer,
    MeUpdateSerializer,
    ProfileDetailSerializer,
    ProfileSerializer,
    profile_detail_payload,
)


class MeExportView(APIView):
    """Everything the signed-in person wrote, and their profile, as a JSON download."""

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="Your account, profile and everything you wrote or did, as JSON "
        "(see profiles/export.py for the sections). 10 downloads an hour.",
    )
    def get(self, request):
        ratelimit.hit("export", request.user.pk)
        response = Response(personal_export(user=request.user))
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="enterprise-social-{request.user.username}-{day}.json"'
        )
        response["Cache-Control"] = "no-store"
        return response


class MeView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=ProfileDetailSerializer)
    def get(self, request):
        return Response(profile_detail_payload(username=request.user.username, viewer=request.user))

    @extend_schema(request=MeUpdateSerializer, responses=ProfileDetailSerializer)
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        profile = services.profile_ensure(user=request.user)
        avatar_given = "avatar" in data
        avatar = data.pop("avatar", None)
        services.profile_update(actor=request.user, profile=profile, **data)
        if avatar_given and avatar is None:
            services.avatar_remove(actor=request.user, profile=profile)
        elif avatar is not None:
            services.avatar_set(actor=request.user, profile=profile, upload=avatar)
        return Response(profile_detail_payload(username=request.user.username, viewer=request.user))


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Name, username, job title or skill"),
        OpenApiParameter("department", str, description="Department slug"),
        OpenApiParameter("skill", str, description="Skill slug"),
    ]
)
class ProfileListView(generics.ListAPIView):
    serializer_class = ProfileSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        params = self.request.query_params
        return selectors.profile_list(
            q=params.get("q", ""),
            department=params.get("department", ""),
            skill=params.get("skill", ""),
        )


class ProfileDetailView(APIView):
    @extend_schema(responses=ProfileDetailSerializer)
    def get(self, request, username: str):
        return Response(profile_detail_payload(username=username, viewer=request.user))


FollowState = inline_serializer(
    "FollowState",
    {"username": serializers.CharField(), "is_following": serializers.BooleanField()},
)


class FollowView(APIView):
    """Follow and unfollow; both are idempotent."""

    @extend_schema(request=None, responses={200: FollowState, 201: FollowState})
    def post(self, request, username: str):
        followee = selectors.user_get_active(username=username)
        _, created = services.follow_create(follower=request.user, followee=followee)
        return Response(
            {"username": followee.username, "is_following": True},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, responses={200: FollowState})
    def delete(self, request, username: str):
        followee = selectors.user_get_active(username=username)
        services.follow_delete(follower=request.user, followee=followee)
        return Response({"username": followee.username, "is_following": False})


class FollowersView(generics.ListAPIView):
    serializer_class = ProfileSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        user = selectors.user_get_active(username=self.kwargs["username"])
        return selectors.followers_of(user=user).prefetch_related("skills")


class FollowingView(FollowersView):
    def get_queryset(self):
        user = selectors.user_get_active(username=self.kwargs["username"])
        return selectors.following_of(user=user).prefetch_related("skills")


class DepartmentPagination(KeysetPagination):
    page_size = 100


class DepartmentListView(generics.ListAPIView):
    serializer_class = DepartmentWithCountSerializer
    pagination_class = DepartmentPagination

    def get_queryset(self):
        return selectors.department_list()

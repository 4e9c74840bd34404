from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import KeysetPagination

from . import selectors, services
from .models import Department, Profile
from .permissions import roles_of


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "slug"]


class DepartmentWithCountSerializer(DepartmentSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta(DepartmentSerializer.Meta):
        fields = [*DepartmentSerializer.Meta.fields, "description", "member_count"]


class ShortProfileSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    avatar_url = serializers.CharField(read_only=True)

    class Meta:
        model = Profile
        fields = ["username", "display_name", "title", "avatar_url"]


class ProfileSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    department = DepartmentSerializer(read_only=True, allow_null=True)
    manager = ShortProfileSerializer(read_only=True, allow_null=True)
    avatar_url = serializers.CharField(read_only=True)
    skills = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Profile
        fields = [
            "username",
            "display_name",
            "title",
            "department",
            "manager",
            "location",
            "pronouns",
            "bio",
            "bio_html",
            "avatar_url",
            "skills",
            "url",
        ]
        read_only_fields = fields

    def get_skills(self, obj: Profile) -> list[str]:
        return [skill.name for skill in obj.skills.all()]

    def get_url(self, obj: Profile) -> str:
        return obj.get_absolute_url()


class ProfileDetailSerializer(ProfileSerializer):
    followers_count = serializers.IntegerField(read_only=True)
    following_count = serializers.IntegerField(read_only=True)
    is_following = serializers.BooleanField(read_only=True)
    reports = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    is_former = serializers.SerializerMethodField()

    class Meta(ProfileSerializer.Meta):
        fields = [
            *ProfileSerializer.Meta.fields,
            "followers_count",
            "following_count",
            "is_following",
            "reports",
            "roles",
            "is_former",
        ]
        read_only_fields = fields

    def get_reports(self, obj: Profile) -> list[dict]:
        reports = selectors.direct_reports(profile=obj)
        return ShortProfileSerializer(reports, many=True).data

    def get_roles(self, obj: Profile) -> list[str]:
        return roles_of(obj.user)

    def get_is_former(self, obj: Profile) -> bool:
        """Deactivated by an admin: left the company. Their profile and posts stay."""
        return not obj.user.is_active


class MeUpdateSerializer(serializers.Serializer):
    """Only the fields a person sets themselves; anything else in the body is refused."""

    display_name = serializers.CharField(max_length=100, required=False)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    location = serializers.CharField(max_length=100, required=False, allow_blank=True)
    pronouns = serializers.CharField(max_length=40, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    skills = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=20, required=False
    )
    avatar = serializers.ImageField(required=False, allow_null=True)

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: "This field cannot be changed here." for name in sorted(unknown)}
            )
        return attrs


def profile_detail_payload(*, username: str, viewer) -> dict:
    profile = selectors.profile_for_page(username=username, viewer=viewer)
    return ProfileDetailSerializer(profile).data


class MeExportView(APIView):
    """Everything the signed-in person wrote, and their profile, as a JSON download."""

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="Your account, profile and everything you wrote or did, as JSON "
        "(see profiles/export.py for the sections). 10 downloads an hour.",
    )
    def get(self, request):
        from core import ratelimit

        from .export import personal_export

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

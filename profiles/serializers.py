"""The API shapes of profiles: what `api.py` answers and what `events.py` broadcasts.

Services and events import this module, never `api.py`."""

from rest_framework import serializers

from . import selectors
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
            "is_app",
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


class AuthorSerializer(serializers.Serializer):
    """A person as the author or actor of something (statuses, comments, notifications)."""

    username = serializers.CharField()
    display_name = serializers.CharField(source="profile.display_name")
    title = serializers.CharField(source="profile.title")
    department = DepartmentSerializer(source="profile.department", allow_null=True)
    avatar_url = serializers.CharField(source="profile.avatar_url")
    # An app account (another system posting through the API), shown with an "App" badge.
    is_app = serializers.BooleanField(source="profile.is_app")

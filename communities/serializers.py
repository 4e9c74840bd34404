"""The API shapes of communities."""

from django.urls import reverse
from rest_framework import serializers

from core.api import StrictSerializer

from .models import MAX_DESCRIPTION, MAX_NAME, Community, JoinPolicy, Membership, Visibility


def picture_url(community: Community) -> str | None:
    if not community.picture:
        return None
    return reverse("communities:picture", kwargs={"slug": community.slug})


class CommunitySerializer(serializers.ModelSerializer):
    my_role = serializers.SerializerMethodField()
    my_state = serializers.SerializerMethodField()
    picture_url = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Community
        fields = [
            "slug",
            "name",
            "description",
            "visibility",
            "join_policy",
            "members_count",
            "my_role",
            "my_state",
            "picture_url",
            "provisioned",
            "created_at",
            "url",
        ]
        read_only_fields = fields

    def _mine(self, obj: Community) -> tuple[str | None, str | None]:
        if hasattr(obj, "my_state_value"):  # annotated by selectors.communities_for
            return obj.my_role_value, obj.my_state_value
        membership: Membership | None = getattr(obj, "my_membership", None)
        if membership is None:
            return None, None
        return membership.role, membership.state

    def get_my_role(self, obj: Community) -> str | None:
        role, state = self._mine(obj)
        return role if state == "active" else None

    def get_my_state(self, obj: Community) -> str | None:
        return self._mine(obj)[1]

    def get_picture_url(self, obj: Community) -> str | None:
        return picture_url(obj)


class CommunityCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=MAX_NAME)
    slug = serializers.CharField(max_length=50, required=False, allow_blank=True)
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION, required=False, allow_blank=True, trim_whitespace=False
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.OPEN)
    join_policy = serializers.ChoiceField(choices=JoinPolicy.choices, default=JoinPolicy.OPEN)


class CommunityUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=MAX_NAME, required=False)
    slug = serializers.CharField(max_length=50, required=False)
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION, required=False, allow_blank=True, trim_whitespace=False
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    join_policy = serializers.ChoiceField(choices=JoinPolicy.choices, required=False)


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    display_name = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    role = serializers.CharField()
    state = serializers.CharField()
    since = serializers.DateTimeField(source="created_at")

    def get_display_name(self, obj: Membership) -> str:
        profile = getattr(obj.user, "profile", None)
        return str(profile.display_name) if profile else obj.user.username

    def get_title(self, obj: Membership) -> str:
        profile = getattr(obj.user, "profile", None)
        return str(profile.title) if profile else ""


class MemberPutSerializer(StrictSerializer):
    role = serializers.ChoiceField(
        choices=["owner", "admin", "member"], required=False, help_text="Promote or demote."
    )
    state = serializers.ChoiceField(
        choices=["active", "invited"],
        required=False,
        help_text="`invited`: invite someone; `active`: approve their request.",
    )


class DepartmentAddSerializer(StrictSerializer):
    department = serializers.SlugField(help_text="The department's slug.")


class MembershipStateSerializer(serializers.Serializer):
    community = serializers.CharField()
    state = serializers.CharField(allow_null=True)
    role = serializers.CharField(allow_null=True)

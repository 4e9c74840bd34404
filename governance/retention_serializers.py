"""The API shapes of retention policies and legal holds."""

from rest_framework import serializers

from core.api import StrictSerializer

from .models import MAX_DAYS, MAX_REASON, LegalHold
from .services import MAX_NAMES


def _days(help_text: str = "") -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_DAYS, allow_null=True, required=False, help_text=help_text
    )


class CompanyPolicySerializer(serializers.Serializer):
    """Days each kind is kept after it was written; null: kept."""

    statuses = _days()
    comments = _days()
    notifications = _days()
    uploads = _days("Pictures, files and video attached to anything.")
    activity_events = _days(
        "The activity records behind the engagement reports (whose totals are kept)."
    )


class CommunityPolicySerializer(serializers.Serializer):
    statuses = _days()
    comments = _days()


class RetentionPolicySerializer(serializers.Serializer):
    """The whole policy. `PUT` replaces it: a kind left out or null is kept forever, a
    community left out follows the company's policy."""

    company = CompanyPolicySerializer()
    communities = serializers.DictField(
        child=CommunityPolicySerializer(),
        required=False,
        help_text="Community slug → its own policy for statuses and comments.",
    )
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_by = serializers.CharField(read_only=True, allow_null=True)
    last_run = serializers.DictField(read_only=True, allow_null=True)


class HoldSerializer(serializers.ModelSerializer):
    custodians = serializers.SerializerMethodField()
    communities = serializers.SerializerMethodField()
    placed_by = serializers.SerializerMethodField()
    released_by = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()

    class Meta:
        model = LegalHold
        fields = [
            "id",
            "reason",
            "custodians",
            "communities",
            "placed_by",
            "placed_at",
            "released_by",
            "released_at",
            "is_active",
        ]
        read_only_fields = fields

    def get_custodians(self, obj: LegalHold) -> list[str]:
        return sorted(u.username for u in obj.custodians.all())

    def get_communities(self, obj: LegalHold) -> list[str]:
        return sorted(c.slug for c in obj.communities.all())

    def get_placed_by(self, obj: LegalHold) -> str | None:
        return obj.placed_by.username if obj.placed_by_id else None

    def get_released_by(self, obj: LegalHold) -> str | None:
        return obj.released_by.username if obj.released_by_id else None


class HoldCreateSerializer(StrictSerializer):
    custodians = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        default=list,
        max_length=MAX_NAMES,
        help_text="Usernames (leavers included).",
    )
    communities = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        max_length=MAX_NAMES,
        help_text="Community slugs.",
    )
    reason = serializers.CharField(max_length=MAX_REASON, help_text="The matter it is for.")


class HoldReleaseSerializer(StrictSerializer):
    """No body."""

"""The API shapes of webhook subscriptions."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from feeds.serializers import StrictSerializer

from .models import EVENT_TYPES, MAX_URL, WebhookEndpoint


class WebhookSerializer(serializers.ModelSerializer):
    """A subscription. Its signing secret is never listed: only the answer that created it
    carries it (WebhookCreatedSerializer)."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES))
    community = serializers.SerializerMethodField()

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "community",
            "description",
            "active",
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_community(self, obj: WebhookEndpoint) -> str | None:
        return obj.community.slug if obj.community_id else None


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="`whsec_…`: verifies the signatures (Standard Webhooks). Shown this once.",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookCreateSerializer(StrictSerializer):
    url = serializers.CharField(max_length=MAX_URL, help_text="https://, a public address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), allow_empty=False, max_length=20
    )
    community = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=50,
        help_text="A community's slug (open or private): only its statuses. Null: what the "
        "whole company sees.",
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )

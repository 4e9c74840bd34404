from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.actions import label_of
from audit.models import AuditEntry


class AuditTargetSerializer(serializers.Serializer):
    type = serializers.CharField(source="target_type")
    id = serializers.CharField(source="target_id")
    label = serializers.CharField(source="target_label")


class AuditEntrySerializer(serializers.ModelSerializer):
    """Names are as recorded at the time (a renamed or deleted account still reads right)."""

    actor = serializers.SerializerMethodField()
    on_behalf_of = serializers.SerializerMethodField()
    action_label = serializers.SerializerMethodField()
    target = AuditTargetSerializer(source="*")
    address = serializers.IPAddressField(source="ip", allow_null=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "on_behalf_of",
            "action",
            "action_label",
            "target",
            "detail",
            "address",
            "user_agent",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, entry: AuditEntry) -> str | None:
        return entry.actor_name or None

    @extend_schema_field(OpenApiTypes.STR)
    def get_on_behalf_of(self, entry: AuditEntry) -> str | None:
        return entry.on_behalf_of_name or None

    def get_action_label(self, entry: AuditEntry) -> str:
        return label_of(entry.action)

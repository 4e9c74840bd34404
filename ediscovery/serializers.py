"""The API shapes of eDiscovery exports."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StrictSerializer

from . import links
from .models import MAX_COMMUNITIES, MAX_CUSTODIANS, MAX_Q, ExportRequest


class ExportCreateSerializer(StrictSerializer):
    custodians = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        default=list,
        max_length=MAX_CUSTODIANS,
        help_text="Usernames: what they wrote, wherever they wrote it.",
    )
    communities = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        default=list,
        max_length=MAX_COMMUNITIES,
        help_text="Community slugs: everything posted in them. At least one custodian or "
        "community.",
    )
    start = serializers.DateField(
        input_formats=["iso-8601"], help_text="First day (YYYY-MM-DD), included."
    )
    end = serializers.DateField(
        input_formats=["iso-8601"], help_text="Last day (YYYY-MM-DD), included."
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=MAX_Q,
        trim_whitespace=True,
        help_text='Terms that must all appear (case-insensitive; "a phrase" in quotes).',
    )


class ExportSerializer(serializers.ModelSerializer):
    custodians = serializers.ListField(source="custodian_names", child=serializers.CharField())
    communities = serializers.ListField(source="community_slugs", child=serializers.CharField())
    requested_by = serializers.CharField(source="requested_by_name")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportRequest
        fields = [
            "id",
            "state",
            "custodians",
            "communities",
            "start",
            "end",
            "q",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "counts",
            "size",
            "sha256",
            "error",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download_url(self, export: ExportRequest) -> str | None:
        """A signed link while the export is ready; it needs a Compliance login as well."""
        if not export.is_downloadable:
            return None
        url = links.download_url(export)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

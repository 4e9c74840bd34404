from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from audit.selectors import audit_entries_filtered, audit_filter_from
from core.api import KeysetPagination

from .audit_serializers import AuditEntrySerializer
from .audit_services import audit_log_check_reader


@extend_schema(
    description="The audit log, newest first (Compliance and administrators; 403 for anyone "
    "else). Filters combine; a bad value is a 400 naming the field. An actor nobody recorded "
    "gives an empty list.",
    parameters=[
        OpenApiParameter(
            "actor",
            str,
            description="The actor's user name as recorded, or "
            "`scim:<token name>` for the company directory",
        ),
        OpenApiParameter(
            "action",
            str,
            description="An action (`role.granted`) or a family "
            "(`role`); docs/governance.md lists them",
        ),
        OpenApiParameter(
            "start",
            OpenApiTypes.STR,
            description="From (inclusive): YYYY-MM-DD or an ISO 8601 time",
        ),
        OpenApiParameter(
            "end",
            OpenApiTypes.STR,
            description="To: YYYY-MM-DD (that whole day) or an ISO 8601 time (exclusive)",
        ),
    ],
)
class AuditLogView(generics.ListAPIView):
    serializer_class = AuditEntrySerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        audit_log_check_reader(self.request.user)
        return audit_entries_filtered(audit_filter_from(self.request.query_params))

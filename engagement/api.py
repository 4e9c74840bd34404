from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from .export import as_json
from .permissions import can_read_reports
from .report import GROUP_BY, build, params_from
from .rollups import rollups_counted_until


class EngagementReportView(APIView):
    """Aggregates for HR; cells resting on fewer than `min_group` people are suppressed.
    `group_by=community`: open and private communities are rows, secret ones only in the
    total."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="YYYY-MM-DD"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="YYYY-MM-DD"),
            OpenApiParameter("group_by", str, enum=list(GROUP_BY)),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        if not can_read_reports(request.user):
            raise PermissionDenied("Engagement reports are for HR.")
        params = params_from(request.query_params)
        return Response({**as_json(build(params)), "counted_until": rollups_counted_until()})

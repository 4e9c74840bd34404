"""`POST /api/v1/compliance/exports/` (202 with the export; it is built by the job runner),
`GET` the list and `GET /api/v1/compliance/exports/<id>/`: Compliance only (anonymous 401,
everyone else 403, administrators included)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework import status as http
from rest_framework.response import Response

from core.api import IsActiveEmployee, KeysetPagination

from . import selectors, services
from .permissions import IsCompliance
from .serializers import ExportCreateSerializer, ExportSerializer


class ExportListView(generics.GenericAPIView):
    serializer_class = ExportSerializer
    pagination_class = KeysetPagination
    permission_classes = [IsActiveEmployee, IsCompliance]

    @extend_schema(operation_id="v1_compliance_exports_list", responses=ExportSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.exports_for(user=request.user))
        data = ExportSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(request=ExportCreateSerializer, responses={202: ExportSerializer})
    def post(self, request):
        data = ExportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        export = services.export_request_create(actor=request.user, **data.validated_data)
        body = ExportSerializer(export, context={"request": request}).data
        return Response(body, status=http.HTTP_202_ACCEPTED)


class ExportDetailView(generics.GenericAPIView):
    serializer_class = ExportSerializer
    permission_classes = [IsActiveEmployee, IsCompliance]

    def get(self, request, export_id: int):
        export = selectors.export_get_for_user(user=request.user, export_id=export_id)
        return Response(ExportSerializer(export, context={"request": request}).data)

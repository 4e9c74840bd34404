"""`GET`/`POST /api/v1/webhooks/`: admins list and subscribe endpoints (anonymous 401,
other employees 403)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework import status as http
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from communities.models import Community
from core.api import IsActiveEmployee, KeysetPagination

from . import services
from .models import WebhookEndpoint
from .permissions import IsAdmin
from .serializers import WebhookCreatedSerializer, WebhookCreateSerializer, WebhookSerializer


class WebhookListView(generics.GenericAPIView):
    serializer_class = WebhookSerializer
    pagination_class = KeysetPagination
    permission_classes = [IsActiveEmployee, IsAdmin]

    @extend_schema(operation_id="v1_webhooks_list", responses=WebhookSerializer(many=True))
    def get(self, request):
        qs = WebhookEndpoint.objects.select_related("community").order_by("-id")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(WebhookSerializer(page, many=True).data)

    @extend_schema(request=WebhookCreateSerializer, responses={201: WebhookCreatedSerializer})
    def post(self, request):
        data = WebhookCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        slug = fields.pop("community", None)
        community = None
        if slug:
            community = Community.objects.filter(slug=slug).first()
            if community is None:
                raise ValidationError({"community": "No such community."})
        endpoint = services.endpoint_create(actor=request.user, community=community, **fields)
        return Response(WebhookCreatedSerializer(endpoint).data, status=http.HTTP_201_CREATED)

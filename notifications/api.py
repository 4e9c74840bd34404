from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import KeysetPagination

from . import selectors, services
from .serializers import NotificationSerializer, NotificationsReadSerializer


class NotificationListView(generics.ListAPIView):
    serializer_class = NotificationSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)


class NotificationsReadView(APIView):
    @extend_schema(
        request=NotificationsReadSerializer,
        responses={200: {"type": "object", "properties": {"unread_count": {"type": "integer"}}}},
    )
    def post(self, request):
        data = NotificationsReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"unread_count": selectors.unread_notification_count(user=request.user)})

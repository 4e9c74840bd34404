from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from . import preferences, services
from .serializers import (
    NotificationSettingsSerializer,
    PushSubscriptionSerializer,
    PushUnsubscribeSerializer,
    VapidKeySerializer,
)


class NotificationSettingsView(APIView):
    @extend_schema(responses=NotificationSettingsSerializer)
    def get(self, request):
        row = preferences.settings_for(user=request.user)
        return Response(preferences.settings_payload(row))

    @extend_schema(request=NotificationSettingsSerializer, responses=NotificationSettingsSerializer)
    def put(self, request):
        row = preferences.settings_update(user=request.user, data=request.data)
        return Response(preferences.settings_payload(row))


class VapidPublicKeyView(APIView):
    @extend_schema(responses=VapidKeySerializer)
    def get(self, request):
        key = settings.VAPID_PUBLIC_KEY or None
        return Response({"enabled": key is not None, "public_key": key})


class PushSubscriptionsView(APIView):
    @extend_schema(request=PushSubscriptionSerializer, responses={201: None})
    def post(self, request):
        services.push_subscribe(
            user=request.user,
            data=request.data,
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response({"endpoint": request.data["endpoint"]}, status=201)

    @extend_schema(request=PushUnsubscribeSerializer, responses={204: None})
    def delete(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        services.push_unsubscribe(user=request.user, endpoint=data.get("endpoint"))
        return Response(status=204)

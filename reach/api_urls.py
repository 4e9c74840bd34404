from django.urls import path

from . import api

urlpatterns = [
    path(
        "me/notification-settings/",
        api.NotificationSettingsView.as_view(),
        name="api-notification-settings",
    ),
    path("push/vapid-public-key/", api.VapidPublicKeyView.as_view(), name="api-vapid-public-key"),
    path("push/subscriptions/", api.PushSubscriptionsView.as_view(), name="api-push-subscriptions"),
]

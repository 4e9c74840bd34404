from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="api-notifications"),
    path("notifications/read/", api.NotificationsReadView.as_view(), name="api-notifications-read"),
]

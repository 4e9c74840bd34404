from django.urls import path

from . import views

app_name = "reach"

urlpatterns = [
    path("notifications/settings/", views.settings_page, name="settings"),
    path("statuses/<int:status_id>/mute/", views.status_mute, name="status-mute"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline, name="offline"),
]

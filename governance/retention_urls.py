from django.urls import path

from . import retention_views

app_name = "retention"

urlpatterns = [
    path("policy/", retention_views.policy, name="policy"),
    path("retention/", retention_views.settings_page, name="settings"),
    path("holds/", retention_views.holds, name="holds"),
    path("holds/<int:hold_id>/release/", retention_views.hold_release, name="hold-release"),
]

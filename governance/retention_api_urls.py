from django.urls import path

from . import retention_api

urlpatterns = [
    path(
        "compliance/retention/",
        retention_api.RetentionPolicyView.as_view(),
        name="api-retention",
    ),
    path("compliance/holds/", retention_api.HoldListView.as_view(), name="api-holds"),
    path(
        "compliance/holds/<int:hold_id>/",
        retention_api.HoldDetailView.as_view(),
        name="api-hold",
    ),
    path(
        "compliance/holds/<int:hold_id>/release/",
        retention_api.HoldReleaseView.as_view(),
        name="api-hold-release",
    ),
]

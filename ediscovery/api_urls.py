from django.urls import path

from . import api

urlpatterns = [
    path("compliance/exports/", api.ExportListView.as_view(), name="ediscovery-exports"),
    path(
        "compliance/exports/<int:export_id>/",
        api.ExportDetailView.as_view(),
        name="ediscovery-export",
    ),
]

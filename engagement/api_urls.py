from django.urls import path

from .api import EngagementReportView

urlpatterns = [
    path("reports/engagement/", EngagementReportView.as_view(), name="api-engagement-report"),
]

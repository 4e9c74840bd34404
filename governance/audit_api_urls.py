from django.urls import path

from .audit_api import AuditLogView

urlpatterns = [
    path("audit-log/", AuditLogView.as_view(), name="api-audit-log"),
]

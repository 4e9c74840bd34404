from django.urls import include, path

urlpatterns = [
    path("", include("governance.audit_urls")),
    path("", include("governance.retention_urls")),
]

from django.urls import include, path

urlpatterns = [
    path("", include("governance.audit_api_urls")),
    path("", include("governance.retention_api_urls")),
]

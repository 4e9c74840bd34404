from django.urls import path

from . import api

urlpatterns = [
    path("uploads/", api.UploadView.as_view(), name="api-uploads"),
    path("uploads/<str:token>/", api.UploadDetailView.as_view(), name="api-upload"),
]

from django.urls import path

from . import views

app_name = "ediscovery"

urlpatterns = [
    path("", views.exports, name="exports"),
    path("<int:export_id>/download/", views.download, name="download"),
]

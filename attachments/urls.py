from django.urls import path

from . import views

app_name = "attachments"

urlpatterns = [
    path("<str:token>/", views.file, name="file"),
    path("<str:token>/thumbnail/", views.thumbnail, name="thumbnail"),
]

from django.urls import path

from . import views

app_name = "profiles"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("me/edit/", views.profile_edit, name="edit"),
    path("<str:username>/", views.profile_detail, name="detail"),
    path("<str:username>/avatar/", views.avatar, name="avatar"),
    path("<str:username>/follow/", views.follow_toggle, name="follow"),
    path(
        "<str:username>/followers/",
        views.follow_list,
        {"direction": "followers"},
        name="followers",
    ),
    path(
        "<str:username>/following/",
        views.follow_list,
        {"direction": "following"},
        name="following",
    ),
]

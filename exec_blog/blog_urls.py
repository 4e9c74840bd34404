from django.urls import path

from . import blog_views as views

app_name = "blog"

urlpatterns = [
    path("", views.post_list, name="posts"),
    path("new/", views.post_create, name="new"),
    path("images/<int:image_id>/", views.image, name="image"),
    path("delegates/", views.delegate_add, name="delegate-add"),
    path("delegates/<str:username>/remove/", views.delegate_remove, name="delegate-remove"),
    path("<slug:slug>/", views.post_detail, name="post"),
    path("<slug:slug>/edit/", views.post_edit, name="edit"),
    path("<slug:slug>/history/", views.post_history, name="history"),
]

from django.urls import path

from . import views

app_name = "ideas"

urlpatterns = [
    path("", views.idea_list, name="list"),
    path("new/", views.idea_create, name="new"),
    path("<int:idea_id>/", views.idea_detail, name="detail"),
    path("<int:idea_id>/edit/", views.idea_edit, name="edit"),
    path("<int:idea_id>/vote/", views.idea_vote, name="vote"),
    path("<int:idea_id>/decision/", views.idea_decide, name="decide"),
]

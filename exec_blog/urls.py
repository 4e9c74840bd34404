from django.urls import path

from . import views

app_name = "exec_blog"

urlpatterns = [
    path("", views.question_list, name="questions"),
    path("new/", views.question_create, name="ask"),
    path("<int:question_id>/", views.question_detail, name="question"),
    path("<int:question_id>/vote/", views.question_vote, name="vote"),
    path("<int:question_id>/answer/", views.question_answer, name="answer"),
    path("<int:question_id>/moderate/", views.question_moderate, name="moderate"),
]

from django.urls import path

from . import views

app_name = "feeds"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("tags/<str:tag>/", views.tag, name="tag"),
    path("departments/<slug:slug>/", views.department, name="department"),
    path("c/<slug:slug>/", views.community, name="community"),
    path("statuses/", views.status_create, name="create"),
    path("statuses/cards/", views.status_cards, name="cards"),
    path("statuses/<int:status_id>/", views.status_detail, name="status"),
    path("statuses/<int:status_id>/edit/", views.status_edit, name="edit"),
    path("statuses/<int:status_id>/delete/", views.status_delete, name="delete"),
    path("statuses/<int:status_id>/history/", views.status_history, name="history"),
    path("statuses/<int:status_id>/comments/", views.comment_create, name="comment"),
    path("statuses/<int:status_id>/react/", views.react, name="react"),
    path("statuses/<int:status_id>/poll/vote/", views.poll_vote, name="poll-vote"),
    path("statuses/<int:status_id>/announce/", views.announce, name="announce"),
    path("statuses/<int:pk>/moderate/", views.moderate, {"kind": "status"}, name="moderate"),
    path(
        "comments/<int:pk>/moderate/",
        views.moderate,
        {"kind": "comment"},
        name="moderate-comment",
    ),
    path("statuses/<int:pk>/report/", views.report, {"kind": "status"}, name="report"),
    path("comments/<int:pk>/report/", views.report, {"kind": "comment"}, name="report-comment"),
    path("moderation/log/", views.moderation_log, name="moderation-log"),
    path("moderation/reports/", views.moderation_reports, name="moderation-reports"),
    path(
        "moderation/reports/<int:report_id>/dismiss/",
        views.report_dismiss,
        name="report-dismiss",
    ),
]

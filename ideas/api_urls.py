from django.urls import path

from . import api

urlpatterns = [
    path("ideas/", api.IdeaListView.as_view(), name="api-ideas"),
    path("ideas/<int:idea_id>/", api.IdeaDetailView.as_view(), name="api-idea"),
    path("ideas/<int:idea_id>/vote/", api.IdeaVoteView.as_view(), name="api-idea-vote"),
    path(
        "ideas/<int:idea_id>/decision/",
        api.IdeaDecisionView.as_view(),
        name="api-idea-decision",
    ),
    path("ideas/<int:idea_id>/history/", api.IdeaHistoryView.as_view(), name="api-idea-history"),
]

from django.urls import path

from . import api

urlpatterns = [
    path("feed/", api.FeedView.as_view(), name="api-feed"),
    path(
        "communities/<str:slug>/feed/",
        api.CommunityFeedView.as_view(),
        name="api-community-feed",
    ),
    path("statuses/", api.StatusListView.as_view(), name="api-statuses"),
    path("statuses/<int:status_id>/", api.StatusDetailView.as_view(), name="api-status"),
    path(
        "statuses/<int:status_id>/history/",
        api.StatusHistoryView.as_view(),
        name="api-status-history",
    ),
    path(
        "statuses/<int:status_id>/comments/",
        api.CommentListView.as_view(),
        name="api-status-comments",
    ),
    path(
        "statuses/<int:status_id>/reactions/<str:kind>/",
        api.ReactionView.as_view(),
        name="api-status-reaction",
    ),
    path(
        "statuses/<int:status_id>/poll/vote/",
        api.PollVoteView.as_view(),
        name="api-status-poll-vote",
    ),
    path(
        "statuses/<int:status_id>/moderation/",
        api.StatusModerationView.as_view(),
        name="api-status-moderation",
    ),
    path(
        "statuses/<int:status_id>/announcement/",
        api.AnnouncementView.as_view(),
        name="api-status-announcement",
    ),
    path(
        "statuses/<int:status_id>/report/", api.StatusReportView.as_view(), name="api-status-report"
    ),
    path(
        "comments/<int:comment_id>/moderation/",
        api.CommentModerationView.as_view(),
        name="api-comment-moderation",
    ),
    path(
        "comments/<int:comment_id>/report/",
        api.CommentReportView.as_view(),
        name="api-comment-report",
    ),
    path("moderation-log/", api.ModerationLogView.as_view(), name="api-moderation-log"),
    path("moderation/reports/", api.OpenReportListView.as_view(), name="api-open-reports"),
]

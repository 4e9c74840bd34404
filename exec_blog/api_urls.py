from django.urls import path

from . import api

urlpatterns = [
    path("questions/", api.QuestionListView.as_view(), name="api-questions"),
    path("questions/<int:question_id>/", api.QuestionDetailView.as_view(), name="api-question"),
    path(
        "questions/<int:question_id>/vote/",
        api.QuestionVoteView.as_view(),
        name="api-question-vote",
    ),
    path(
        "questions/<int:question_id>/answer/",
        api.QuestionAnswerView.as_view(),
        name="api-question-answer",
    ),
    path(
        "questions/<int:question_id>/moderation/",
        api.QuestionModerationView.as_view(),
        name="api-question-moderation",
    ),
    path("blog/posts/", api.BlogPostListView.as_view(), name="api-blog-posts"),
    path("blog/posts/<slug:slug>/", api.BlogPostDetailView.as_view(), name="api-blog-post"),
    path(
        "blog/posts/<slug:slug>/comments/",
        api.BlogCommentListView.as_view(),
        name="api-blog-post-comments",
    ),
    path(
        "blog/posts/<slug:slug>/images/",
        api.BlogImageListView.as_view(),
        name="api-blog-post-images",
    ),
    path("me/delegates/", api.MyDelegatesView.as_view(), name="api-my-delegates"),
    path(
        "me/delegates/<str:username>/",
        api.MyDelegateView.as_view(),
        name="api-my-delegate",
    ),
]

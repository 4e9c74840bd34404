from django.urls import path

from . import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/export/", api.MeExportView.as_view(), name="api-me-export"),
    path("profiles/", api.ProfileListView.as_view(), name="api-profiles"),
    path("profiles/<str:username>/", api.ProfileDetailView.as_view(), name="api-profile"),
    path("profiles/<str:username>/follow/", api.FollowView.as_view(), name="api-follow"),
    path("profiles/<str:username>/followers/", api.FollowersView.as_view(), name="api-followers"),
    path("profiles/<str:username>/following/", api.FollowingView.as_view(), name="api-following"),
    path("departments/", api.DepartmentListView.as_view(), name="api-departments"),
]

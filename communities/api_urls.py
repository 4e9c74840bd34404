from django.urls import path

from . import api

urlpatterns = [
    path("communities/", api.CommunityListView.as_view(), name="api-communities"),
    path("communities/<str:slug>/", api.CommunityDetailView.as_view(), name="api-community"),
    path(
        "communities/<str:slug>/membership/",
        api.MembershipView.as_view(),
        name="api-community-membership",
    ),
    path(
        "communities/<str:slug>/members/",
        api.MemberListView.as_view(),
        name="api-community-members",
    ),
    path(
        "communities/<str:slug>/members/<str:username>/",
        api.MemberDetailView.as_view(),
        name="api-community-member",
    ),
    path(
        "communities/<str:slug>/departments/",
        api.DepartmentAddView.as_view(),
        name="api-community-departments",
    ),
]

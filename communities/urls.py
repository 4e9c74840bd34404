from django.urls import path

from . import views

app_name = "communities"

# The community's own page (/c/<slug>/, its feed) is served by feeds: it is made of statuses.
urlpatterns = [
    path("communities/", views.community_list, name="list"),
    path("communities/new/", views.community_new, name="new"),
    path("c/<slug:slug>/members/", views.members, name="members"),
    path("c/<slug:slug>/settings/", views.settings_page, name="settings"),
    path("c/<slug:slug>/picture", views.picture, name="picture"),
    path("c/<slug:slug>/membership/", views.membership, name="membership"),
    path("c/<slug:slug>/members/<str:username>/", views.member_action, name="member-action"),
]

from django.urls import re_path

from . import views

# Clients append resource names to the base URL with or without a slash: both are served.
urlpatterns = [
    re_path(r"^ServiceProviderConfig/?$", views.ServiceProviderConfigView.as_view()),
    re_path(r"^ResourceTypes/?$", views.ResourceTypesView.as_view()),
    re_path(r"^ResourceTypes/(?P<name>[^/]+)/?$", views.ResourceTypesView.as_view()),
    re_path(r"^Schemas/?$", views.SchemasView.as_view()),
    re_path(r"^Schemas/(?P<urn>[^/]+)/?$", views.SchemasView.as_view()),
    re_path(r"^Users/?$", views.UsersView.as_view()),
    re_path(r"^Users/(?P<scim_id>[^/]+)/?$", views.UserView.as_view()),
    re_path(r"^Groups/?$", views.GroupsView.as_view()),
    re_path(r"^Groups/(?P<scim_id>[^/]+)/?$", views.GroupView.as_view()),
    re_path(r"^(?P<rest>.*)$", views.NotFoundView.as_view()),
]

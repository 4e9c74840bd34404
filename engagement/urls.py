from django.urls import path

from . import views

app_name = "engagement"

urlpatterns = [
    path("engagement/", views.report_page, name="report"),
    path("engagement.csv", views.report_csv, name="csv"),
    path("about/", views.about, name="about"),
]

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views

from .allauth_urls import headless_patterns, page_patterns

# The admin signs in through the same login as everyone else (two-factor, SSO, rate limits).
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "Enterprise Social administration"
admin.site.site_title = "Enterprise Social admin"

handler400 = "core.views.error_400"
handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"

api_patterns = [
    path("", include("profiles.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("communities.api_urls")),
    path("", include("attachments.api_urls")),
    path("", include("feeds.api_urls")),
    path("", include("exec_blog.api_urls")),
    path("", include("ideas.api_urls")),
    path("", include("engagement.api_urls")),
    path("", include("reach.api_urls")),
    path("", include("webhooks.api_urls")),
    path("", include("governance.api_urls")),
    path("", include("ediscovery.api_urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Before notifications/: /notifications/settings/ is reach's; also /sw.js, the manifest.
    path("", include("reach.urls")),
    path("people/", include("profiles.urls")),
    path("accounts/", include(page_patterns)),
    path("_allauth/", include((headless_patterns, "headless"))),
    path("admin/", admin.site.urls),
    path("ask/", include("exec_blog.urls")),
    path("blog/", include("exec_blog.blog_urls")),
    path("ideas/", include("ideas.urls")),
    path("reports/", include("engagement.urls")),
    path("compliance/exports/", include("ediscovery.urls")),
    path("compliance/", include("governance.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("communities.urls")),
    path("files/", include("attachments.urls")),
    path("", include("feeds.urls")),
    path("api/v1/", include(api_patterns)),
    path("scim/v2/", include("provisioning.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.BENCH_ENDPOINTS:
    # The floor of the feed benchmark (bench/feed.py): the same stack, a constant page; and its
    # comparison row: the same feed written the obvious way with the ORM and DRF.
    from feeds.api import BenchFloorView
    from feeds.bench_plain import BenchPlainFeedView

    urlpatterns.insert(0, path("api/v1/bench/floor/", BenchFloorView.as_view()))
    urlpatterns.insert(0, path("api/v1/bench/plain-feed/", BenchPlainFeedView.as_view()))

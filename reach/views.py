"""Pages: notification settings, muting a thread, the unsubscribe link (no login), and the
installable app's manifest, service worker and offline page (no login, no personal data)."""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.models import Community, Membership
from core.http import safe_next
from feeds.selectors import status_get_for_user

from . import kinds, preferences
from .tokens import unsubscribe_read


def _page_context(request, row, errors=None) -> dict:
    payload = preferences.settings_payload(row)
    community_ids = set(
        Membership.objects.filter(user=request.user, state="active").values_list(
            "community_id", flat=True
        )
    ) | set(row.muted_communities.values_list("pk", flat=True))
    muted = set(payload["muted_communities"])
    return {
        "rows": [
            {
                "kind": kind,
                "label": kinds.LABELS[kind],
                "email": payload["email"][kind],
                "push": payload["push"][kind],
            }
            for kind in kinds.KINDS
        ],
        "email_modes": [("immediate", "Right away"), ("digest", "In the digest"), ("off", "Off")],
        "settings": payload,
        "hours": range(24),
        "time_zones": preferences.time_zones(),
        "communities": [
            {"slug": c.slug, "name": c.name, "muted": c.slug in muted}
            for c in Community.objects.filter(pk__in=community_ids).order_by("name")
        ],
        "muted_statuses": row.muted_statuses.select_related("author__profile").order_by("-id"),
        "push_available": bool(settings.VAPID_PUBLIC_KEY),
        "errors": errors or {},
    }


def _form_data(post) -> dict:
    data: dict = {
        "email": {k: post.get(f"email_{k}", "") for k in kinds.KINDS},
        "push": {k: post.get(f"push_{k}") == "on" for k in kinds.KINDS},
        "digest": post.get("digest", ""),
        "time_zone": post.get("time_zone", ""),
        "muted_communities": post.getlist("muted_communities"),
    }
    hour = post.get("digest_hour", "")
    data["digest_hour"] = int(hour) if hour.isdigit() else hour
    statuses = post.getlist("muted_statuses")
    data["muted_statuses"] = [int(s) if s.isdigit() else s for s in statuses]
    return data


@require_http_methods(["GET", "POST"])
def settings_page(request):
    row = preferences.settings_for(user=request.user)
    if request.method == "POST":
        try:
            preferences.settings_update(user=request.user, data=_form_data(request.POST))
        except ValidationError as exc:
            context = _page_context(request, row, errors=exc.message_dict)
            return render(request, "reach/settings.html", context, status=400)
        messages.success(request, "Your notification settings are saved.")
        return redirect("reach:settings")
    return render(request, "reach/settings.html", _page_context(request, row))


@require_POST
def status_mute(request, status_id: int):
    status = status_get_for_user(user=request.user, status_id=status_id)
    muted = request.POST.get("muted", "1") != "0"
    preferences.status_mute(user=request.user, status=status, muted=muted)
    messages.success(
        request,
        "You will not be emailed or pushed about this thread (Notification settings lists "
        "your muted threads)."
        if muted
        else "Unmuted.",
    )
    return redirect(safe_next(request, default=status.get_absolute_url()))


def _scope_label(scope) -> str:
    if scope == "all":
        return "all email from Enterprise Social"
    if scope == "digest":
        return "the digest email"
    names = [kinds.LABELS[k].lower() for k in scope if k in kinds.LABELS]
    return "email about " + ", ".join(names) if names else "all email from Enterprise Social"


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: a confirmation page (mail scanners follow links, so a GET changes nothing).
    POST: unsubscribe, from the page's form or a mail client's one-click (RFC 8058).
    The signed token is the only credential: it can only turn email off."""
    found = unsubscribe_read(token)
    if found is None:
        raise Http404("This link is not valid.")
    user_id, scope = found
    if request.method == "POST":
        chosen = "all" if request.POST.get("scope") == "all" else scope
        if preferences.unsubscribe(user_id=user_id, scope=chosen) is None:
            raise Http404("This link is not valid.")
        return render(
            request, "reach/unsubscribed.html", {"what": _scope_label(chosen)}, status=200
        )
    return render(
        request,
        "reach/unsubscribe.html",
        {"what": _scope_label(scope), "scope_is_all": scope == "all"},
    )


# --- The installable app -----------------------------------------------------------------------


@login_not_required
@require_GET
def manifest(request):
    data = {
        "name": "Enterprise Social",
        "short_name": "Social",
        "description": "Your company's social network.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f6f9",
        "theme_color": "#1d4ed8",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"indent": 1})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response


_SW_CACHE: dict[str, str] = {}


@login_not_required
@require_GET
def service_worker(request):
    """The service worker, served from the root so its scope is the whole site. Never cached
    by the browser's HTTP cache, so a new version is picked up on the next visit."""
    body = _SW_CACHE.get("sw") if not settings.DEBUG else None
    if body is None:
        path = finders.find("js/sw.js")
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        # The static URLs the worker may precache, as the storage names them (hashed in
        # production), and a version that changes with them.
        assets = [static("css/app.css"), static("favicon.svg"), static("icons/icon-192.png")]
        body = source.replace("__ASSETS__", json.dumps(assets)).replace(
            "__VERSION__",
            json.dumps(hashlib.sha256((source + "".join(assets)).encode()).hexdigest()[:12]),
        )
        _SW_CACHE["sw"] = body
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def offline(request):
    """Shown by the service worker when the network is gone: static, nobody's data."""
    response = render(request, "reach/offline.html")
    response["Cache-Control"] = "public, max-age=3600"
    return response

"""The notifications page and "mark all as read"."""

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.http import safe_next
from core.pagination import BadCursor, keyset_page

from . import registry, selectors, services
from .models import Notification
from .registry import Excerpt

PAGE_SIZE = 30


@dataclass(frozen=True)
class Row:
    """A notification as the page shows it, rendered by what its kind registered."""

    notification: Notification
    ending: str
    url: str
    excerpt: Excerpt | None
    icon: str


@require_GET
def notifications(request):
    try:
        items, next_cursor = keyset_page(
            selectors.notifications_for(user=request.user),
            cursor=request.GET.get("cursor"),
            size=PAGE_SIZE,
        )
    except BadCursor:
        return HttpResponse("Invalid cursor.", status=400)
    rows = [
        Row(
            notification=n,
            ending=registry.ending(n, page=True),
            url=registry.url(n),
            excerpt=registry.excerpt(n),
            icon=registry.icon(n),
        )
        for n in selectors.targets_attach(items)
    ]
    return render(
        request,
        "notifications/notifications.html",
        {"notifications": rows, "next_cursor": next_cursor},
    )


@require_POST
def notifications_read(request):
    services.notifications_mark_read(user=request.user)
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect(safe_next(request, "/notifications/"))

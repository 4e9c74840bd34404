import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .middleware import JSON_PREFIXES, database_unavailable_response, is_database_outage

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not. Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def _wants_json(request) -> bool:
    return request.path_info.startswith(JSON_PREFIXES) or (
        "application/json" in request.headers.get("Accept", "")
    )


# SCIM clients (provisioning, /scim/) expect errors in SCIM's shape (RFC 7644 §3.12), also for
# what is refused before a view runs (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a NUL).
SCIM_PREFIX = "/scim/"
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def _json_error(request, status: int, detail: str) -> JsonResponse:
    if request.path_info.startswith(SCIM_PREFIX):
        return JsonResponse(
            {"schemas": [SCIM_ERROR], "status": str(status), "detail": detail},
            status=status,
            content_type="application/scim+json",
        )
    return JsonResponse({"detail": detail}, status=status)


@login_not_required
def error_404(request, exception=None):
    if _wants_json(request):
        return _json_error(request, 404, "Not found.")
    return render(request, "404.html", status=404)


@login_not_required
def error_500(request):
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable_response(request)
    if _wants_json(request):
        return _json_error(request, 500, "Server error.")
    return render(request, "500.html", status=500)


@login_not_required
def error_403(request, exception=None):
    if _wants_json(request):
        return _json_error(request, 403, "You do not have permission to do this.")
    return render(request, "403.html", status=403)


@login_not_required
def error_400(request, exception=None):
    if _wants_json(request):
        return _json_error(request, 400, "Bad request.")
    return render(request, "400.html", status=400)

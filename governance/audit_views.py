"""The audit log's page and its CSV download (Compliance and administrators)."""

import csv
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.actions import ACTIONS, label_of
from audit.selectors import audit_entries_filtered, audit_filter_from
from core.pagination import BadCursor, keyset_page

from . import audit_csv
from .audit_services import audit_log_check_reader, audit_log_export

PAGE_SIZE = 50


def _errors_text(errors: dict) -> str:
    return "\n".join(f"{field}: {'; '.join(msgs)}" for field, msgs in errors.items())


@require_GET
def audit_log(request):
    audit_log_check_reader(request.user)
    context = {
        "query": request.GET,
        "actions": sorted(ACTIONS.items()),
        "entries": [],
        "next_cursor": None,
        "errors": None,
        "filter_query": "",
        "retention_days": settings.AUDIT_RETENTION_DAYS,
        "retention_years": round(settings.AUDIT_RETENTION_DAYS / 365.25),
        "time_zone": settings.TIME_ZONE,
    }
    try:
        filters = audit_filter_from(request.GET)
        entries, next_cursor = keyset_page(
            audit_entries_filtered(filters), cursor=request.GET.get("cursor"), size=PAGE_SIZE
        )
    except ValidationError as exc:
        context["errors"] = exc.message_dict
        return render(request, "governance/audit_log.html", context, status=400)
    except BadCursor:
        context["errors"] = {"cursor": ["Invalid cursor: start again from the newest entries."]}
        return render(request, "governance/audit_log.html", context, status=400)
    for entry in entries:
        entry.action_label = label_of(entry.action)
    context.update(
        entries=entries,
        next_cursor=next_cursor,
        filters=filters,
        # Carried by the CSV link and the next page's link (never the cursor).
        filter_query=urlencode(filters.as_query()),
    )
    return render(request, "governance/audit_log.html", context)


class _Echo:
    def write(self, value):
        return value


@require_GET
def audit_log_csv(request):
    audit_log_check_reader(request.user)
    try:
        filters = audit_filter_from(request.GET)
    except ValidationError as exc:
        return HttpResponse(
            _errors_text(exc.message_dict), status=400, content_type="text/plain; charset=utf-8"
        )
    entries = audit_log_export(actor=request.user, filters=filters)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in audit_csv.csv_rows(entries.iterator(chunk_size=2000))),
        content_type="text/csv; charset=utf-8",
    )
    name = f"audit-log-{timezone.now():%Y%m%d-%H%M%S}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response

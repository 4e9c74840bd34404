"""HR's engagement report (page and CSV) and the page that tells everyone what is measured."""

import csv

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import charts
from .export import csv_rows
from .permissions import can_read_reports
from .report import COLUMNS, DEFAULT_DAYS, MAX_DAYS, build, min_group, params_from
from .rollups import rollups_counted_until


def _report_or_errors(request):
    if not can_read_reports(request.user):
        raise PermissionDenied("Engagement reports are for HR.")
    try:
        params = params_from(request.GET)
    except ValidationError as exc:
        return None, exc.message_dict
    # The job runner adds new activity to the rollups every minute (engagement.jobs); a
    # report reads what is there and says how fresh it is.
    return build(params), None


@require_GET
def report_page(request):
    report, errors = _report_or_errors(request)
    context = {
        "report": report,
        "errors": errors,
        "columns": report.columns if report is not None else COLUMNS,
        "query": request.GET,
        "max_days": MAX_DAYS,
        "default_days": DEFAULT_DAYS,
        "counted_until": rollups_counted_until(),
    }
    if report is not None:
        context["active_chart"] = charts.line_chart(
            report.series,
            [("wau", "Weekly active", "series-a"), ("dau", "Daily active (average)", "series-b")],
        )
        context["participation_chart"] = charts.bar_chart(report.participation)
    return render(request, "engagement/report.html", context, status=400 if errors else 200)


@require_GET
def report_csv(request):
    report, errors = _report_or_errors(request)
    if errors:
        return HttpResponse(
            "\n".join(f"{field}: {'; '.join(msgs)}" for field, msgs in errors.items()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"engagement-{report.params.group_by}-{report.params.start}-{report.params.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerows(csv_rows(report))
    return response


@require_GET
def about(request):
    return render(
        request,
        "engagement/about.html",
        {"min_group": min_group(), "max_days": MAX_DAYS, "default_days": DEFAULT_DAYS},
    )

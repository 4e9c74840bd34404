"""/compliance/exports/: Compliance asks for exports and downloads them. Everyone else gets
403 (anonymous visitors the login page)."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import form_errors
from core.ranges import ranged_response

from . import links, selectors, services
from .forms import ExportForm
from .models import ExportRequest

PAGE_SIZE = 100


@require_http_methods(["GET", "POST"])
def exports(request):
    listed = selectors.exports_for(user=request.user)  # 403 for all but Compliance
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = services.export_request_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request, f"Export {export.pk} is queued; this page shows when it is ready."
            )
            return redirect("ediscovery:exports")
    rows = [(export, _link(export), _summary(export)) for export in listed[:PAGE_SIZE]]
    return render(
        request,
        "ediscovery/exports.html",
        {
            "form": form,
            "rows": rows,
            "link_days": settings.EDISCOVERY_LINK_DAYS,
            "page_size": PAGE_SIZE,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _link(export: ExportRequest) -> str | None:
    return links.download_url(export) if export.is_downloadable else None


SUMMARY = (
    ("statuses.jsonl", "status", "statuses"),
    ("status_revisions.jsonl", "earlier version", "earlier versions"),
    ("comments.jsonl", "comment", "comments"),
    ("moderation_actions.jsonl", "moderation action", "moderation actions"),
    ("blog_posts.jsonl", "blog post", "blog posts"),
    ("questions.jsonl", "question", "questions"),
    ("files", "file", "files"),
)


def _summary(export: ExportRequest) -> str:
    counts = export.counts or {}
    parts = [
        f"{counts[key]} {one if counts[key] == 1 else many}"
        for key, one, many in SUMMARY
        if counts.get(key)
    ]
    if not parts and export.state in (ExportRequest.State.READY, ExportRequest.State.EXPIRED):
        return "Nothing matched."
    return ", ".join(parts)


def _gone(request) -> HttpResponse:
    return render(request, "ediscovery/gone.html", status=410)


@require_GET
def download(request, export_id: int):
    export = selectors.export_get_for_user(user=request.user, export_id=export_id)
    try:
        links.check(export, request.GET.get("token", ""))
    except links.LinkExpired:
        return _gone(request)
    except links.LinkInvalid:
        raise Http404("No such download.") from None
    if export.state == ExportRequest.State.EXPIRED or (
        export.state == ExportRequest.State.READY and not export.is_downloadable
    ):
        return _gone(request)
    if export.state != ExportRequest.State.READY:
        raise Http404("No such download.")
    response = _serve(request, export)
    services.export_download_record(
        actor=request.user, export=export, byte_range=request.headers.get("Range", "")
    )
    return response


def _serve(request, export: ExportRequest) -> HttpResponse:
    """As attachments serve files: a signed URL on S3, nginx's X-Accel-Redirect, or streamed
    by Django with ranges (core.ranges)."""
    filename = f"ediscovery-export-{export.pk}.zip"
    storage = default_storage
    if settings.MEDIA_STORAGE == "s3":
        response = HttpResponseRedirect(
            storage.url(
                export.file,
                parameters={
                    "ResponseContentType": "application/zip",
                    "ResponseContentDisposition": content_disposition_header(True, filename),
                },
                expire=settings.MEDIA_URL_EXPIRE_SECONDS,
            )
        )
    elif settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type="application/zip")
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT + quote(export.file)
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        try:
            handle = storage.open(export.file, "rb")
        except OSError as exc:
            raise Http404("No such download.") from exc
        response = ranged_response(
            request,
            handle,
            size=export.size,
            content_type="application/zip",
            filename=filename,
            inline=False,
            etag=f'"{export.sha256}"',
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

"""Downloads: every one authorised against its post as it is now, 404 alike otherwise.

Pictures are served inline, everything else as an attachment, all with `nosniff` and a
sandboxing Content-Security-Policy. Locally Django streams the file with range requests
(core.ranges); behind nginx (`MEDIA_ACCEL_REDIRECT`) or on S3 (`MEDIA_STORAGE=s3`) Python only
authorises and hands the download over: an `X-Accel-Redirect`, or a redirect to a URL signed
for `MEDIA_URL_EXPIRE_SECONDS`.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from core.ranges import ranged_response

from . import selectors
from .models import Attachment, Kind

# Short: a post hidden or made private stops being served from the browser's cache soon.
CACHE = "private, max-age=60"
SANDBOX = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


def _serve(request, attachment: Attachment, field, *, content_type: str, inline: bool):
    if not field:
        raise Http404("No such file.")
    filename = attachment.name if field is attachment.file else "thumbnail.webp"
    disposition = content_disposition_header(not inline, filename)
    if settings.MEDIA_STORAGE == "s3":
        url = field.storage.url(
            field.name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            expire=settings.MEDIA_URL_EXPIRE_SECONDS,
        )
        response = HttpResponseRedirect(url)
    elif settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT + quote(field.name)
        response["Content-Disposition"] = disposition
    else:
        try:
            handle = field.storage.open(field.name, "rb")
            size = field.storage.size(field.name)
        except (FileNotFoundError, OSError) as exc:
            raise Http404("No such file.") from exc
        response = ranged_response(
            request,
            handle,
            size=size,
            content_type=content_type,
            filename=filename,
            inline=inline,
            etag=f'"{attachment.token}-{"t" if field is attachment.thumbnail else "f"}"',
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = CACHE
    return response


@require_safe
def file(request, token: str):
    attachment = selectors.attachment_get_for_download(user=request.user, token=token)
    return _serve(
        request,
        attachment,
        attachment.file,
        content_type=attachment.content_type,
        inline=attachment.kind == Kind.IMAGE,
    )


@require_safe
def thumbnail(request, token: str):
    attachment = selectors.attachment_get_for_download(user=request.user, token=token)
    return _serve(request, attachment, attachment.thumbnail, content_type="image/webp", inline=True)

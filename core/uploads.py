"""Uploads that are too large are stopped while they stream in, never read whole.

`UploadSizeGuard` is the first of `FILE_UPLOAD_HANDLERS`: a request whose declared length is
above `UPLOAD_MAX_BYTES` (plus room for the form around the file) is not parsed at all, and a
file that grows past it while streaming (a chunked request that declared nothing) stops the
parse; what was written to a temporary file is closed and so removed. Either way the request
is marked, and the view answers 413 (`upload_too_large`, `TooLarge`). The per-kind limits
(pictures, files, video) are checked once the kind is known, on the file on disk.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

# The other fields of an upload form and the multipart boundaries.
FORM_OVERHEAD = 1024 * 1024
MARK = "_upload_too_large"


class TooLarge(ValidationError):
    """The API answers 413 (core.api_errors)."""


def megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:g} MB" if mb == int(mb) else f"{mb:.1f} MB"


def upload_too_large(request) -> bool:
    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    return bool(getattr(request, MARK, False))


class UploadSizeGuard(FileUploadHandler):
    def _limit(self) -> int:
        return settings.UPLOAD_MAX_BYTES

    def _mark(self) -> None:
        if self.request is not None:
            setattr(self.request, MARK, True)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self._limit() + FORM_OVERHEAD:
            self._mark()
            # Handled: nothing parsed, nothing written.
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self._limit():
            self._mark()
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None

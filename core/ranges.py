"""A file served with HTTP range requests (video seeking), streamed in blocks, never read whole.

Django's FileResponse answers the whole file; browsers seeking in a `<video>` ask for
`Range: bytes=a-b`. One range is served (206 with `Content-Range`); several ranges, or a
malformed header, get the whole file (200), as RFC 9110 allows; a range that starts past the
end is 416.
"""

import re

from django.http import FileResponse, HttpResponse

BLOCK = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Slice:
    """`length` bytes of `file` from its current position, read in blocks."""

    def __init__(self, file, length: int):
        self.file = file
        self.remaining = length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        size = self.remaining if size < 0 else min(size, self.remaining)
        data = self.file.read(size)
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.file.close()


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) inclusive; None to serve the whole file; False when unsatisfiable."""
    match = RANGE.match(header.replace(" ", ""))
    if not match or (not match[1] and not match[2]):
        return None
    first, last = match[1], match[2]
    if not first:  # the last n bytes
        n = int(last)
        if n == 0:
            return False
        return max(0, size - n), size - 1
    start = int(first)
    if start >= size:
        return False
    end = int(last) if last else size - 1
    if end < start:
        return None
    return start, min(end, size - 1)


def ranged_response(
    request, file, *, size: int, content_type: str, filename: str, inline: bool, etag: str = ""
) -> HttpResponse:
    """`file` is open at 0; it is closed with the response."""
    wanted = None
    header = request.headers.get("Range", "")
    if header and request.method == "GET":
        if_range = request.headers.get("If-Range")
        if not if_range or (etag and if_range == etag):
            wanted = parse_range(header, size)
    if wanted is False:
        file.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = FileResponse(
            file, content_type=content_type, as_attachment=not inline, filename=filename
        )
        response["Content-Length"] = str(size)
    else:
        first, last = wanted
        file.seek(first)
        response = FileResponse(
            Slice(file, last - first + 1),
            status=206,
            content_type=content_type,
            as_attachment=not inline,
            filename=filename,
        )
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    if isinstance(response, FileResponse):
        response.block_size = BLOCK
    response["Accept-Ranges"] = "bytes"
    if etag:
        response["ETag"] = etag
    return response

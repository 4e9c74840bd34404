"""A file served with HTTP range requests (video seeking), streamed in blocks, never read whole.

Django's FileResponse answers the whole file, and under ASGI Django reads a *synchronous*
streaming response into a list before sending it (StreamingHttpResponse.__aiter__), which for
a 200 MB video is 200 MB in memory. So the body here is a generator of 64 KiB blocks: an
asynchronous one under ASGI (each read in a thread), a plain one otherwise (the test client).

Browsers seeking in a `<video>` ask for `Range: bytes=a-b`. One range is served (206 with
`Content-Range`); several ranges, or a malformed header, get the whole file (200), as RFC 9110
allows; a range that starts past the end is 416.
"""

import asyncio
import re

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

BLOCK = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


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


class Blocks:
    """`length` bytes of `file` from where it stands, in blocks; the response closes `file`
    (through `close`) even when it never reads a block (a HEAD request, a client gone)."""

    def __init__(self, file, length: int):
        self.file = file
        self.remaining = length

    def _next_size(self) -> int:
        return min(BLOCK, self.remaining)

    def __iter__(self):
        while self.remaining > 0:
            data = self.file.read(self._next_size())
            if not data:
                return
            self.remaining -= len(data)
            yield data

    def close(self) -> None:
        self.file.close()


class AsyncBlocks(Blocks):
    """The same for ASGI: each block read in a thread, the event loop never blocked."""

    __iter__ = None

    async def __aiter__(self):
        while self.remaining > 0:
            data = await asyncio.to_thread(self.file.read, self._next_size())
            if not data:
                return
            self.remaining -= len(data)
            yield data


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
    else:
        first, last = (0, size - 1) if wanted is None else wanted
        length = max(0, last - first + 1)
        if first:
            file.seek(first)
        body = (AsyncBlocks if isinstance(request, ASGIRequest) else Blocks)(file, length)
        response = StreamingHttpResponse(
            body, status=200 if wanted is None else 206, content_type=content_type
        )
        response["Content-Length"] = str(length)
        response["Content-Disposition"] = content_disposition_header(not inline, filename)
        if wanted is not None:
            response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Accept-Ranges"] = "bytes"
    if etag:
        response["ETag"] = etag
    return response

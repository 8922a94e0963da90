"""A file response that honours a single HTTP ``Range`` (RFC 9110 §14): 206 with ``Content-Range``, 416 when the
range cannot be satisfied, the whole file (200) when there is no usable range or several are asked for. Every
answer carries the user-file headers of :mod:`.serving` (``nosniff`` and a script-free policy)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from zhijiao.core.errors import NotFound
from zhijiao.resources.serving import SANDBOX_POLICY, Delivery, harden
from zhijiao.resources.storage import blob_read, blob_size, file_read

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(ValueError):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive for one satisfiable range; None to serve the whole file.

    Raises :class:`RangeNotSatisfiable` for a well-formed range that lies outside the file."""
    header = header.strip()
    if not header or "," in header:
        return None  # no range, or several: a server may answer with the whole representation
    match = _RANGE.match(header)
    if match is None:
        return None
    start, end = match.groups()
    if not start and not end:
        return None
    if not start:  # suffix: the last N bytes
        length = int(end)
        if length == 0:
            raise RangeNotSatisfiable(header)
        return max(size - length, 0), size - 1
    first = int(start)
    last = int(end) if end else size - 1
    if first >= size or last < first:
        raise RangeNotSatisfiable(header)
    return first, min(last, size - 1)


def ranged_response(
    request: HttpRequest,
    *,
    size: int,
    read: Callable[[int, int], Iterator[bytes]],
    content_type: str,
    filename: str,
    inline: bool = False,
    policy: str = SANDBOX_POLICY,
) -> HttpResponse | StreamingHttpResponse:
    """Serve ``size`` bytes that ``read(first, length)`` yields, honouring the request's ``Range``. The caller
    decides ``content_type`` and ``inline`` (see :func:`.serving.file_delivery`)."""
    try:
        wanted = parse_range(request.headers.get("Range", ""), size)
    except RangeNotSatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        harden(refused, policy=policy)
        return refused
    if wanted is None:
        first, last, status = 0, size - 1, 200
    else:
        first, last = wanted
        status = 206
    length = last - first + 1 if size else 0
    response = StreamingHttpResponse(read(first, length), status=status, content_type=content_type)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    harden(response, policy=policy)
    return response


def ranged_file_response(
    request: HttpRequest, path: Path, *, content_type: str, filename: str, inline: bool = False
) -> HttpResponse | StreamingHttpResponse:
    return ranged_response(
        request,
        size=path.stat().st_size,
        read=lambda first, length: file_read(path, first, length),
        content_type=content_type,
        filename=filename,
        inline=inline,
    )


def blob_response(
    request: HttpRequest, *, sha256: str, delivery: Delivery, filename: str
) -> HttpResponse | StreamingHttpResponse:
    """A stored blob, local or remote, with Range support; NotFound when its bytes are missing."""
    size = blob_size(sha256)
    if size is None:
        raise NotFound("文件缺失")
    return ranged_response(
        request,
        size=size,
        read=lambda first, length: blob_read(sha256, first, length),
        content_type=delivery.content_type,
        filename=filename,
        inline=delivery.inline,
        policy=delivery.policy,
    )

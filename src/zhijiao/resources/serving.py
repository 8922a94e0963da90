"""How user files are answered, so that an uploaded file can never run script as the platform (decision
0016).

A file is shown in the browser (``inline``) only when its type, taken from the file name's extension (never the
type the uploader's browser declared), is on a short safe list: raster images (not SVG, which is a document that
runs script), PDF, audio, video, and plain text (always answered as ``text/plain`` with an explicit charset, so a
``.md`` or ``.csv`` is never rendered as markup). Everything else is ``Content-Disposition: attachment``. Every
file response carries ``X-Content-Type-Options: nosniff`` and a policy that forbids script:

* ``SANDBOX_POLICY`` (``sandbox`` plus ``default-src 'none'``) on everything but an inline PDF: even a file a
  browser did render as a page would run in an opaque origin, without script, cookies or the platform's storage;
* ``PDF_POLICY`` on an inline PDF: the same ``default-src 'none'`` without ``sandbox``, because Chromium and
  Safari refuse to show a PDF in a sandboxed document; the browsers' PDF viewers never give a PDF's own script
  the page's origin.

With ``ZHIJIAO_FILES_ORIGIN`` set (production), ``/resources/<id>/download/`` checks access and records the
download as before, then redirects to a signed, short-lived address on that separate origin
(``<origin>/files/<token>/``), which serves the bytes and nothing else: a file then cannot reach the platform's
origin at all, whatever a browser does with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from zhijiao.resources.storage import blob_read

SANDBOX_POLICY = (
    "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)
PDF_POLICY = (
    "default-src 'none'; object-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)
# The safe list, by file extension (a table of our own, so no machine's mime.types can widen it): raster images
# (image/svg+xml is a script-capable document, always an attachment), PDF, the audio and video formats browsers play,
# and plain text ("text" here: answered as text/plain with a charset).
TEXT = "text"
SAFE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "avif": "image/avif",
    "pdf": "application/pdf",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
    "flac": "audio/flac",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "ogv": "video/ogg",
    "mov": "video/quicktime",
    "txt": TEXT,
    "text": TEXT,
    "md": TEXT,
    "markdown": TEXT,
    "csv": TEXT,
}
TEXT_SNIFF_BYTES = 64 * 1024  # enough of a text file to tell UTF-8 from GB18030
FILES_SALT = "zhijiao.resources.files"
FILES_PREFIX = "/files/"

R = TypeVar("R", bound=HttpResponseBase)


@dataclass(frozen=True)
class Delivery:
    """How one file response goes out."""

    content_type: str
    inline: bool
    policy: str


def safe_type(name: str) -> str:
    """The safe-list type of a file name's extension ("" when it is not on the list)."""
    _, dot, ext = name.rpartition(".")
    return SAFE_TYPES.get(ext.lower(), "") if dot else ""


def _text_charset(head: bytes) -> str:
    """UTF-8 unless the first bytes are not UTF-8 (then GB18030, what older Windows editors write in China)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start <= len(head) - 4:  # a broken sequence inside the sample, not only at its cut end
            return "gb18030"
    return "utf-8"


def inline_type(name: str, head: Callable[[], bytes] = lambda: b"") -> str:
    """The Content-Type to show a file with in the browser, or "" when it may only be downloaded."""
    kind = safe_type(name)
    if kind == TEXT:
        return f"text/plain; charset={_text_charset(head())}"
    return kind


def file_delivery(*, name: str, want_inline: bool, head: Callable[[], bytes] = lambda: b"") -> Delivery:
    """Inline with a safe type when asked for and allowed; otherwise an attachment, typed with its safe-list type or
    ``application/octet-stream``. ``head`` gives the first bytes (only read for text, to name its charset)."""
    shown = inline_type(name, head) if want_inline else ""
    if shown:
        return Delivery(shown, True, PDF_POLICY if shown == "application/pdf" else SANDBOX_POLICY)
    kind = safe_type(name)
    return Delivery(kind if kind and kind != TEXT else "application/octet-stream", False, SANDBOX_POLICY)


def harden(response: R, *, policy: str = SANDBOX_POLICY) -> R:
    """The headers every user-file (and preview) response carries."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = policy  # set here, so the pages' own policy is not added on top
    response["Cross-Origin-Opener-Policy"] = "same-origin"
    return response


def blob_delivery(sha256: str, *, name: str, want_inline: bool) -> Delivery:
    def head() -> bytes:
        return b"".join(blob_read(sha256, 0, TEXT_SNIFF_BYTES))

    return file_delivery(name=name, want_inline=want_inline, head=head)


# ---------------------------------------------------------------------------------------- a separate files origin
def files_origin() -> str:
    """``ZHIJIAO_FILES_ORIGIN`` without a trailing slash, or "" when files are served from the platform's origin."""
    return str(getattr(settings, "ZHIJIAO_FILES_ORIGIN", "") or "").rstrip("/")


def files_host() -> str:
    origin = files_origin()
    return urlsplit(origin).netloc.lower() if origin else ""


def files_url(*, sha256: str, name: str, inline: bool) -> str:
    """A signed address of the bytes on the files origin, valid for ``ZHIJIAO_FILES_URL_SECONDS``."""
    token = signing.dumps({"s": sha256, "n": name, "i": int(inline)}, salt=FILES_SALT, compress=True)
    return f"{files_origin()}{FILES_PREFIX}{token}/"


class FilesTokenInvalid(Exception):
    """A files address that was tampered with or has expired."""


def files_token_read(token: str) -> dict[str, Any]:
    try:
        data = signing.loads(token, salt=FILES_SALT, max_age=settings.ZHIJIAO_FILES_URL_SECONDS)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise FilesTokenInvalid(str(exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), str) or not isinstance(data.get("n"), str):
        raise FilesTokenInvalid("malformed")
    return data


def on_files_host(request: HttpRequest) -> bool:
    host = files_host()
    return bool(host) and request.get_host().lower() == host


class FilesOriginMiddleware:
    """On the files origin only ``/files/…`` exists: the platform's pages (and its cookies' paths) are never
    served there, so a file on that origin has nothing of the platform's to reach."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if path != "/healthz" and not path.startswith(FILES_PREFIX) and on_files_host(request):
            return harden(HttpResponse("未找到。", status=404, content_type="text/plain; charset=utf-8"))
        return self.get_response(request)

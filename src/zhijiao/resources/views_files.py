"""The bytes of user files: answered here on the platform's origin, or (``ZHIJIAO_FILES_ORIGIN`` set) redirected to
a signed, short-lived address on the separate files origin, which :func:`file_by_token` serves. The rules for
what may be shown inline, and the headers, are in :mod:`.serving`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect

from zhijiao.core.errors import NotFound
from zhijiao.resources.ranged import blob_response
from zhijiao.resources.serving import (
    FilesTokenInvalid,
    blob_delivery,
    files_origin,
    files_token_read,
    files_url,
    harden,
    on_files_host,
)


def file_answer(request: HttpRequest, *, sha256: str, name: str, inline: bool) -> HttpResponseBase:
    """The response for a file the caller was already allowed to read (the view checked access)."""
    if files_origin():
        redirect = HttpResponseRedirect(files_url(sha256=sha256, name=name, inline=inline))
        redirect["Cache-Control"] = "no-store"  # the signed address expires: never reuse an old redirect
        return harden(redirect)
    delivery = blob_delivery(sha256, name=name, want_inline=inline)
    return blob_response(request, sha256=sha256, delivery=delivery, filename=name)


def _plain(text: str, status: int) -> HttpResponse:
    return harden(HttpResponse(text, status=status, content_type="text/plain; charset=utf-8"))


def file_by_token(request: HttpRequest, token: str) -> HttpResponseBase:
    """``/files/<token>/`` on the files origin: the signed address is the permission (issued by
    :func:`file_answer` after the access check), so this view reads no session."""
    if not on_files_host(request):
        return _plain("未找到。", 404)
    try:
        data = files_token_read(token)
    except FilesTokenInvalid:
        return _plain("下载链接已失效，请回到资源页面重新打开。", 410)
    name, sha256, inline = data["n"], data["s"], bool(data.get("i"))
    try:
        response = blob_response(
            request, sha256=sha256, delivery=blob_delivery(sha256, name=name, want_inline=inline), filename=name
        )
    except NotFound:
        return _plain("文件不存在。", 404)
    response["Cache-Control"] = "private, max-age=600"
    return response

"""Resumable chunked upload endpoints, ``/api/v1/resources/uploads`` (the protocol: ``resources.uploads``).

No ``from __future__ import annotations`` here: django-ninja reads the real types.
"""

import uuid
from datetime import datetime
from typing import cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.resources import uploads
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.models import UploadSession
from zhijiao.resources.uploads import (
    CHUNK_SIZE,
    UploadOffsetMismatch,
    upload_append,
    upload_cancel,
    upload_get_for,
    upload_start,
)

router = Router(tags=["资源中心 · 分片上传"])

PROTOCOL = (
    "断点续传的分片上传（类似 tus）：先 POST 创建上传会话（同一账号对同一文件标识未完成的会话会直接返回，"
    "从 `received` 继续）；再按顺序 PATCH（或 PUT）原始字节，请求头 `Upload-Offset` 必须等于服务器已接收的字节数，"
    f"每片不超过 `chunk_size`（{CHUNK_SIZE // (1024 * 1024)} MiB）；最后一片到达后文件即校验并入库（`done`、"
    "`file_sha256`）。浏览器会话调用时须带 `X-CSRFToken` 请求头。只有上传者本人能看到自己的会话。"
)


class UploadIn(Schema):
    name: str
    size: int
    content_type: str = ""
    fingerprint: str = ""


class UploadOut(Schema):
    id: uuid.UUID
    name: str
    size: int
    received: int
    chunk_size: int
    done: bool
    file_sha256: str
    created_at: datetime

    @staticmethod
    def resolve_chunk_size(obj: UploadSession) -> int:
        return uploads.CHUNK_SIZE

    @staticmethod
    def resolve_done(obj: UploadSession) -> bool:
        return obj.completed_at is not None

    @staticmethod
    def resolve_file_sha256(obj: UploadSession) -> str:
        return obj.file.sha256 if obj.file_id and obj.file else ""


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class OffsetErrorOut(ErrorOut):
    received: int


def _me(request: HttpRequest) -> Account:
    return cast(Account, request.user)


@router.post(
    "",
    response={200: UploadOut, 201: UploadOut, 400: ErrorOut, 403: ErrorOut, 413: ErrorOut},
    summary="创建（或续传）分片上传会话",
    description=PROTOCOL,
)
def upload_create(request: HttpRequest, payload: UploadIn, response: HttpResponse):
    state = upload_start(
        actor=_me(request),
        name=payload.name,
        size=payload.size,
        content_type=payload.content_type,
        fingerprint=payload.fingerprint,
    )
    response["Upload-Offset"] = str(state.session.received)
    response["Location"] = f"/api/v1/resources/uploads/{state.session.pk}"
    return (200 if state.resumed else 201), state.session


@router.get("/{uuid:upload_id}", response={200: UploadOut, 404: ErrorOut}, summary="查询上传进度（续传位置）")
def upload_status(request: HttpRequest, upload_id: uuid.UUID, response: HttpResponse):
    session = upload_get_for(actor=_me(request), upload_id=upload_id)
    response["Upload-Offset"] = str(session.received)
    return session


CHUNK_OPENAPI = {
    "parameters": [
        {
            "in": "header",
            "name": "Upload-Offset",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
            "description": "本片第一个字节在文件中的位置，必须等于服务器已接收的字节数（received）",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {"application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        "description": f"原始字节，最多 {CHUNK_SIZE} 字节",
    },
}


@router.api_operation(
    ["PATCH", "PUT"],
    "/{uuid:upload_id}",
    response={200: UploadOut, 400: ErrorOut, 404: ErrorOut, 409: OffsetErrorOut, 413: ErrorOut},
    summary="追加一片字节",
    description="409 时响应体的 `received` 与响应头 `Upload-Offset` 给出服务器的位置，客户端应从该位置继续。",
    openapi_extra=CHUNK_OPENAPI,
)
def upload_chunk(request: HttpRequest, upload_id: uuid.UUID, response: HttpResponse):
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_BAD_REQUEST, field="Upload-Offset") from exc
    try:
        # the request itself is the stream: the body is read in blocks, never as a whole (request.body)
        session = upload_append(actor=_me(request), upload_id=upload_id, offset=offset, length=length, stream=request)
    except UploadOffsetMismatch as exc:
        conflict = JsonResponse({**exc.as_dict(), "received": exc.received}, status=409)
        conflict["Upload-Offset"] = str(exc.received)
        return conflict
    response["Upload-Offset"] = str(session.received)
    return session


@router.delete("/{uuid:upload_id}", response={204: None, 404: ErrorOut}, summary="取消上传")
def upload_delete(request: HttpRequest, upload_id: uuid.UUID):
    upload_cancel(actor=_me(request), upload_id=upload_id)
    return 204, None

"""The LRS's HTTP plumbing: one request shape for the plain and the alternate (1.0.3) syntax, version negotiation,
HTTP Basic credentials, multipart/mixed bodies and the responses xAPI clients expect."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from zhijiao.core.prepared import Prepared
from zhijiao.oidc.api_auth import oidc_access_token_get
from zhijiao.oidc.claims import subject_for
from zhijiao.xapi.models import Credential
from zhijiao.xapi.services import SCOPE_READ, SCOPE_WRITE, secret_hash
from zhijiao.xapi.validation import parse_timestamp

_V1 = re.compile(r"^1\.0(\.\d+)?$")
_V2 = re.compile(r"^2\.0(\.\d+)?$")
_ALT_HEADERS = {
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
}


# Compiled once (zhijiao.core.prepared): read on every request, never cached, so a credential switched off or an app
# disabled in the registry is refused from the next request on.
_CREDENTIAL: Prepared[Credential] = Prepared(
    lambda key: Credential.objects.select_related("app", "app__application").filter(
        key=key, is_active=True, app__is_active=True
    )[:1],
    key=str,
)


class HttpFailure(Exception):
    def __init__(self, status: int, detail: str, code: Any = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code  # an XapiError naming the refusal more precisely than its status


@dataclass
class XRequest:
    method: str
    params: dict[str, str]
    headers: dict[str, str]
    body: bytes
    v2: bool = False
    version: str = "1.0.3"
    alternate: bool = False
    client: Credential | None = None
    duplicate_params: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()


def xrequest(request: HttpRequest) -> XRequest:
    """The request in one shape; the alternate syntax (POST ?method=X with a form body) unpacked."""
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    params: dict[str, str] = {}
    duplicates: list[str] = []
    for key, value in pairs:
        if key in params:
            duplicates.append(key)
        params[key] = value
    headers = {
        key[5:].replace("_", "-").lower(): value for key, value in request.META.items() if key.startswith("HTTP_")
    }
    if "CONTENT_TYPE" in request.META:
        headers["content-type"] = request.META["CONTENT_TYPE"]
    method = request.method or "GET"
    try:
        body = request.body
    except RequestDataTooBig as exc:  # DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default)
        raise HttpFailure(413, "the request is too large") from exc
    if method == "POST" and "method" in params:
        if set(params) != {"method"}:
            raise HttpFailure(400, "the alternate request syntax takes no other query parameters")
        alt_method = params["method"].upper()
        if alt_method not in ("GET", "HEAD", "PUT", "POST", "DELETE"):
            raise HttpFailure(400, "unknown method in the alternate request syntax")
        if headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
            raise HttpFailure(400, "the alternate request syntax needs a form body")
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        params = {}
        new_headers = {k: v for k, v in headers.items() if k not in ("content-type", "content-length")}
        content = b""
        for key, value in form:
            low = key.lower()
            if low in _ALT_HEADERS:
                new_headers[low] = value
            elif key == "content":
                content = value.encode("utf-8")
            else:
                params[key] = value
        new_headers.setdefault("content-type", "application/json")
        return XRequest(method=alt_method, params=params, headers=new_headers, body=content, alternate=True)
    return XRequest(method=method, params=params, headers=headers, body=body, duplicate_params=duplicates)


def negotiate(xr: XRequest) -> None:
    """Read X-Experience-API-Version: 1.0.x → 1.0.3, 2.0.x → 2.0.0; missing or other → 400."""
    version = xr.headers.get("x-experience-api-version", "").strip()
    if _V2.match(version):
        xr.v2, xr.version = True, "2.0.0"
    elif _V1.match(version):
        xr.v2, xr.version = False, "1.0.3"
    else:
        raise HttpFailure(400, "X-Experience-API-Version header missing or not supported (1.0.x, 2.0.x)")
    if xr.alternate and xr.v2:
        raise HttpFailure(400, "xAPI 2.0 has no alternate request syntax")


def authenticate(xr: XRequest) -> Credential:
    """The caller: an app's HTTP Basic credential, or (Bearer) an OIDC access token an app holds for a person,
    with the token's ``xapi:read`` / ``xapi:write`` scopes; both are the app's, so it sees what the app wrote."""
    header = xr.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return _bearer(value.strip())
    if scheme.lower() != "basic" or not value:
        raise HttpFailure(401, "HTTP Basic credentials or an OIDC access token required")
    try:
        key, _, secret = base64.b64decode(value.strip()).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError) as exc:
        raise HttpFailure(401, "malformed credentials") from exc
    client = _CREDENTIAL.first(key=key)
    if client is None or not hmac.compare_digest(client.secret_hash, secret_hash(secret)):
        raise HttpFailure(401, "unknown or wrong credentials")
    return client


def _bearer(raw: str) -> Credential:
    token = oidc_access_token_get(raw)
    registration = getattr(token.application, "registration", None) if token is not None else None
    if token is None or registration is None:
        raise HttpFailure(401, "unknown, expired or revoked access token")
    scopes = [s for s in str(token.scope).split() if s in (SCOPE_READ, SCOPE_WRITE)]
    client = Credential(app=registration, key="", scopes=scopes)
    client.on_behalf_of = subject_for(token.user)
    return client


# ---- parameters ----

READ = ("GET", "HEAD")


def params_check(xr: XRequest, allowed: set[str]) -> None:
    for key in xr.params:
        if key not in allowed:
            raise HttpFailure(400, f"unknown parameter {key!r}")
    if xr.duplicate_params:
        raise HttpFailure(400, f"parameter {xr.duplicate_params[0]!r} given twice")


def bool_param(xr: XRequest, name: str) -> bool:
    value = xr.params.get(name, "false")
    if value not in ("true", "false"):
        raise HttpFailure(400, f"{name} must be true or false")
    return value == "true"


def time_param(xr: XRequest, name: str) -> datetime | None:
    if name not in xr.params:
        return None
    parsed = parse_timestamp(xr.params[name])
    if parsed is None:
        raise HttpFailure(400, f"{name} must be a timestamp")
    return parsed


def caller(xr: XRequest) -> Credential:
    assert xr.client is not None
    return xr.client


def http_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


# ---- multipart/mixed ----


@dataclass
class Part:
    headers: dict[str, str]
    body: bytes


def _boundary(content_type: str) -> str:
    m = re.search(r'boundary\s*=\s*"?([^";]+)"?', content_type, re.IGNORECASE)
    if not m:
        raise HttpFailure(400, "multipart/mixed without a boundary")
    return m.group(1).strip()


def multipart_parse(content_type: str, body: bytes) -> list[Part]:
    delimiter = b"--" + _boundary(content_type).encode()
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise HttpFailure(400, "malformed multipart/mixed body")
    parts: list[Part] = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, content = chunk.partition(b"\n\n")
            if not sep:
                if chunk.strip():
                    raise HttpFailure(400, "malformed multipart part")
                continue
        if content.endswith(b"\r\n"):
            content = content[:-2]
        elif content.endswith(b"\n"):
            content = content[:-1]
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").splitlines():
            if not line.strip():
                continue
            name, colon, value = line.partition(":")
            if not colon:
                raise HttpFailure(400, "malformed multipart header")
            headers[name.strip().lower()] = value.strip()
        parts.append(Part(headers=headers, body=content))
    if not parts:
        raise HttpFailure(400, "empty multipart/mixed body")
    return parts


def multipart_build(first: bytes, attachments: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/mixed body: the JSON first, then (sha2, content type, bytes) parts; returns (body, boundary)."""
    boundary = "zhijiao-" + hashlib.sha1(first, usedforsecurity=False).hexdigest()
    out = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), first, b"\r\n"]
    for sha2, content_type, content in attachments:
        out.append(
            (
                f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
                f"X-Experience-API-Hash: {sha2}\r\n\r\n"
            ).encode()
        )
        out.extend([content, b"\r\n"])
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), boundary


# ---- responses ----


def respond(
    xr: XRequest | None,
    body: Any = None,
    *,
    status: int = 200,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> HttpResponse:
    if raw is None:
        raw = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    if xr is not None and xr.method == "HEAD":
        length = len(raw)
        raw = b""
    else:
        length = len(raw)
    response = HttpResponse(raw, status=status, content_type=content_type if status != 204 else None)
    if status == 204:
        del response["Content-Type"]
    response["X-Experience-API-Version"] = xr.version if xr is not None else "2.0.0"
    if xr is not None and xr.method == "HEAD":
        response["Content-Length"] = str(length)
    for key, value in (headers or {}).items():
        response[key] = value
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = (
        "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through"
    )
    return response


def error(xr: XRequest | None, status: int, detail: str, code: str, message: str) -> HttpResponse:
    return respond(xr, {"error": code, "message": message, "detail": detail}, status=status)

"""The LRS endpoints under ``/xapi/``: plain Django views (multipart bodies, ETags and xAPI's own content types are
not a JSON API), CSRF-exempt, no session: HTTP Basic credentials of an app only.

Adapters: parse the request, negotiate the version, authenticate, call one service or selector, respond.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from zhijiao.xapi import views_documents, views_statements
from zhijiao.xapi.errors import XapiError
from zhijiao.xapi.http import READ, HttpFailure, XRequest, authenticate, error, negotiate, respond, xrequest
from zhijiao.xapi.services import SCOPE_READ, SCOPE_WRITE, XapiFailure
from zhijiao.xapi.validation import Invalid, format_timestamp

_STATUS_CODE = {
    400: XapiError.XAPI_INVALID,
    401: XapiError.XAPI_AUTH,
    403: XapiError.XAPI_FORBIDDEN,
    404: XapiError.XAPI_NOT_FOUND,
    405: XapiError.XAPI_METHOD,
    409: XapiError.XAPI_CONFLICT,
    412: XapiError.XAPI_PRECONDITION,
    413: XapiError.XAPI_TOO_LARGE,
}


@csrf_exempt
def lrs(request: HttpRequest, resource: str = "") -> HttpResponse:
    xr: XRequest | None = None
    try:
        xr = xrequest(request)
        name = resource.strip("/")
        if name == "about":
            return _about(xr)
        if request.method == "OPTIONS":
            return respond(None, status=200, headers=_cors())
        handler = _HANDLERS.get(name)
        if handler is None:
            return error(xr, 404, "no such resource", XapiError.XAPI_NOT_FOUND.code, XapiError.XAPI_NOT_FOUND.message)
        client = authenticate(xr)
        xr.version = client.default_version
        negotiate(xr)
        xr.client = client
        scope = SCOPE_READ if xr.method in READ else SCOPE_WRITE
        if scope not in (client.scopes or []):
            raise HttpFailure(403, f"the credential lacks {scope}")
        response = handler(xr)
    except HttpFailure as exc:
        response = _error(xr, exc.status, exc.detail, exc.code)
    except XapiFailure as exc:
        response = _error(xr, exc.status, exc.detail, exc.code)
    except Invalid as exc:
        response = _error(xr, 400, str(exc))
    if xr is not None and xr.method in READ and resource.strip("/") == "statements":
        response.setdefault("X-Experience-API-Consistent-Through", format_timestamp(timezone.now()))
    return response


def _error(xr: XRequest | None, status: int, detail: str, precise: XapiError | None = None) -> HttpResponse:
    code = precise or _STATUS_CODE.get(status, XapiError.XAPI_INVALID)
    return error(xr, status, detail, code.code, code.message)


def _cors() -> dict[str, str]:
    return {
        "Access-Control-Allow-Methods": "HEAD, GET, POST, PUT, DELETE",
        "Access-Control-Allow-Headers": (
            "Content-Type, Content-Length, Authorization, If-Match, If-None-Match, X-Experience-API-Version"
        ),
    }


def _about(xr: XRequest) -> HttpResponse:
    if xr.method not in READ:
        raise HttpFailure(405, "the About resource is read-only")
    version = xr.headers.get("x-experience-api-version", "")
    xr.version = "2.0.0" if version.startswith("2.0") else "1.0.3"
    xr.v2 = xr.version == "2.0.0"
    return respond(xr, {"version": ["1.0.3", "2.0.0"], "extensions": {}})


_HANDLERS = {
    "statements": views_statements.statements,
    "activities/state": views_documents.state,
    "activities/profile": views_documents.activity_profile,
    "agents/profile": views_documents.agent_profile,
    "activities": views_documents.activities,
    "agents": views_documents.agents,
}

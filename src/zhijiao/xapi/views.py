"""The LRS endpoints under ``/xapi/``: plain Django views (multipart bodies, ETags and xAPI's own content types are
not a JSON API), CSRF-exempt, no session: HTTP Basic credentials of an app only.

Adapters: parse the request, negotiate the version, authenticate, call one service or selector, respond.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from zhijiao.xapi import selectors, services
from zhijiao.xapi.errors import XapiError
from zhijiao.xapi.http import (
    HttpFailure,
    XRequest,
    authenticate,
    error,
    multipart_build,
    multipart_parse,
    negotiate,
    respond,
    xrequest,
)
from zhijiao.xapi.models import Credential, Document
from zhijiao.xapi.services import SCOPE_READ, SCOPE_WRITE, DocumentKey, XapiFailure
from zhijiao.xapi.validation import (
    SIGNATURE_USAGE,
    Invalid,
    agent_ifi,
    agent_param,
    format_timestamp,
    is_iri,
    is_uuid,
    json_loads,
    parse_timestamp,
    statement_check,
)

PAGE_MAX = 100
_READ = ("GET", "HEAD")
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
        scope = SCOPE_READ if xr.method in _READ else SCOPE_WRITE
        if scope not in (client.scopes or []):
            raise HttpFailure(403, f"the credential lacks {scope}")
        response = handler(xr)
    except HttpFailure as exc:
        response = _error(xr, exc.status, exc.detail)
    except XapiFailure as exc:
        response = _error(xr, exc.status, exc.detail)
    except Invalid as exc:
        response = _error(xr, 400, str(exc))
    if xr is not None and xr.method in _READ and resource.strip("/") == "statements":
        response.setdefault("X-Experience-API-Consistent-Through", format_timestamp(timezone.now()))
    return response


def _error(xr: XRequest | None, status: int, detail: str) -> HttpResponse:
    code = _STATUS_CODE.get(status, XapiError.XAPI_INVALID)
    return error(xr, status, detail, code.code, code.message)


def _cors() -> dict[str, str]:
    return {
        "Access-Control-Allow-Methods": "HEAD, GET, POST, PUT, DELETE",
        "Access-Control-Allow-Headers": (
            "Content-Type, Content-Length, Authorization, If-Match, If-None-Match, X-Experience-API-Version"
        ),
    }


def _about(xr: XRequest) -> HttpResponse:
    if xr.method not in _READ:
        raise HttpFailure(405, "the About resource is read-only")
    version = xr.headers.get("x-experience-api-version", "")
    xr.version = "2.0.0" if version.startswith("2.0") else "1.0.3"
    xr.v2 = xr.version == "2.0.0"
    return respond(xr, {"version": ["1.0.3", "2.0.0"], "extensions": {}})


def _params(xr: XRequest, allowed: set[str]) -> None:
    for key in xr.params:
        if key not in allowed:
            raise HttpFailure(400, f"unknown parameter {key!r}")
    if xr.duplicate_params:
        raise HttpFailure(400, f"parameter {xr.duplicate_params[0]!r} given twice")


def _bool_param(xr: XRequest, name: str) -> bool:
    value = xr.params.get(name, "false")
    if value not in ("true", "false"):
        raise HttpFailure(400, f"{name} must be true or false")
    return value == "true"


def _time_param(xr: XRequest, name: str) -> datetime | None:
    if name not in xr.params:
        return None
    parsed = parse_timestamp(xr.params[name])
    if parsed is None:
        raise HttpFailure(400, f"{name} must be a timestamp")
    return parsed


def _client(xr: XRequest) -> Credential:
    assert xr.client is not None
    return xr.client


def _http_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


# ---- statements ----

_QUERY_PARAMS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}


def statements(xr: XRequest) -> HttpResponse:
    if xr.method in _READ:
        return _statements_get(xr)
    if xr.method == "PUT":
        return _statements_put(xr)
    if xr.method == "POST":
        return _statements_post(xr)
    raise HttpFailure(405, "the Statement resource takes GET, HEAD, PUT and POST")


def _statements_put(xr: XRequest) -> HttpResponse:
    _params(xr, {"statementId"})
    statement_id = xr.params.get("statementId")
    if not statement_id or not is_uuid(statement_id):
        raise HttpFailure(400, "PUT needs a statementId parameter (a UUID)")
    statements_, attachments = _statements_body(xr)
    if isinstance(statements_, list) or not isinstance(statements_, dict):
        raise HttpFailure(400, "PUT takes one statement")
    if "id" in statements_ and str(statements_["id"]).lower() != statement_id.lower():
        raise HttpFailure(400, "the statement's id differs from statementId")
    statements_["id"] = statement_id.lower() if "id" not in statements_ else statements_["id"]
    _store(xr, [statements_], attachments)
    return respond(xr, status=204)


def _statements_post(xr: XRequest) -> HttpResponse:
    _params(xr, set())
    body, attachments = _statements_body(xr)
    items = body if isinstance(body, list) else [body]
    if not items:
        raise HttpFailure(400, "no statements")
    ids = _store(xr, items, attachments)
    return respond(xr, ids)


def _statements_body(xr: XRequest) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """The statement(s) and the attachment parts (sha2 → content type, bytes) of a PUT or POST."""
    parts: dict[str, tuple[str, bytes]] = {}
    if xr.media_type == "multipart/mixed":
        found = multipart_parse(xr.content_type, xr.body)
        first = found[0]
        if first.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise HttpFailure(400, "the first part of a multipart body must be application/json")
        body = json_loads(first.body)
        for part in found[1:]:
            sha2 = part.headers.get("x-experience-api-hash")
            if not sha2:
                raise HttpFailure(400, "an attachment part needs X-Experience-API-Hash")
            encoding = part.headers.get("content-transfer-encoding")
            if encoding is None or encoding.lower() != "binary":
                raise HttpFailure(400, "an attachment part needs Content-Transfer-Encoding: binary")
            if not _hash_matches(sha2, part.body):
                raise HttpFailure(400, "an attachment part does not match its X-Experience-API-Hash")
            parts[sha2] = (part.headers.get("content-type", "application/octet-stream"), part.body)
        return body, parts
    if xr.media_type != "application/json":
        raise HttpFailure(400, "statements are sent as application/json or multipart/mixed")
    return json_loads(xr.body), parts


def _hash_matches(sha2: str, content: bytes) -> bool:
    algorithm = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}.get(len(sha2))
    return algorithm is not None and algorithm(content).hexdigest() == sha2.lower()


def _store(xr: XRequest, items: list[Any], parts: dict[str, tuple[str, bytes]]) -> list[str]:
    client = _client(xr)
    now = timezone.now()
    prepared: list[services.Prepared] = []
    seen: set[str] = set()
    used: set[str] = set()
    for item in items:
        statement_check(item, v2=xr.v2)
        if "id" in item:
            key = str(item["id"]).lower()
            if key in seen:
                raise HttpFailure(400, f"statement {key} appears twice in the batch")
            seen.add(key)
        for part in _attachment_holders(item):
            for attachment in part.get("attachments") or []:
                sha2 = attachment["sha2"]
                if sha2 in parts:
                    used.add(sha2)
                elif "fileUrl" not in attachment:
                    raise HttpFailure(400, f"attachment {sha2} has neither fileUrl nor data")
                if attachment["usageType"] == SIGNATURE_USAGE:
                    _signature_check(item, attachment, parts.get(sha2))
        prepared.append(services.statement_prepare(client=client, statement=item, stored=now, v2=xr.v2))
    unused = set(parts) - used
    if unused:
        raise HttpFailure(400, "an attachment part matches no attachment of the statements")
    return services.statements_store(client=client, statements=prepared, attachments=parts)


def _attachment_holders(item: dict[str, Any]) -> list[dict[str, Any]]:
    obj = item.get("object")
    return [item, obj] if isinstance(obj, dict) and obj.get("objectType") == "SubStatement" else [item]


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _signature_check(item: dict[str, Any], attachment: dict[str, Any], part: tuple[str, bytes] | None) -> None:
    """A signed statement: the JWS (RS256/384/512) whose payload is the statement before it was signed."""
    if attachment["contentType"].split(";")[0].strip() != "application/octet-stream":
        raise HttpFailure(400, "a signature attachment's contentType is application/octet-stream")
    if part is None:
        raise HttpFailure(400, "a signed statement carries its signature as an attachment part")
    try:
        header_b64, payload_b64, signature_b64 = part[1].decode("ascii").strip().split(".")
        header = json.loads(_b64(header_b64))
        payload = json_loads(_b64(payload_b64))
        _b64(signature_b64)
    except (ValueError, UnicodeDecodeError, Invalid) as exc:
        raise HttpFailure(400, "the signature is not a valid JWS with a JSON payload") from exc
    if not isinstance(header, dict) or header.get("alg") not in ("RS256", "RS384", "RS512"):
        raise HttpFailure(400, "a statement signature uses RS256, RS384 or RS512")
    if not isinstance(payload, dict):
        raise HttpFailure(400, "the signature's payload is not a statement")
    ignore = ("attachments", "authority", "stored", "version")
    mine = {k: v for k, v in item.items() if k not in ignore and (k != "id" or "id" in payload)}
    theirs = {k: v for k, v in payload.items() if k not in ignore}
    if services.statement_comparable(mine) != services.statement_comparable(theirs):
        raise HttpFailure(400, "the signature's payload differs from the statement")
    if "x5c" in header:
        _signature_verify(header, part[1].decode("ascii").strip())


def _signature_verify(header: dict[str, Any], token: str) -> None:
    from jwcrypto import jwk, jws  # django-oauth-toolkit's JOSE library

    try:
        from cryptography import x509

        cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        key = jwk.JWK.from_pyca(cert.public_key())
        signed = jws.JWS()
        signed.deserialize(token)
        signed.verify(key, alg=header["alg"])
    except Exception as exc:  # any failure is a bad signature
        raise HttpFailure(400, "the statement's signature does not verify") from exc


def _statements_get(xr: XRequest) -> HttpResponse:
    client = _client(xr)
    params = xr.params
    now = timezone.now()
    consistent = {"X-Experience-API-Consistent-Through": format_timestamp(now)}
    if "more" in params:
        return _statements_more(xr, consistent)
    single = [key for key in ("statementId", "voidedStatementId") if key in params]
    if single:
        _params(xr, {"statementId", "voidedStatementId", "format", "attachments"})
        if len(single) > 1:
            raise HttpFailure(400, "statementId and voidedStatementId together")
        value = params[single[0]]
        if not is_uuid(value):
            raise HttpFailure(400, f"{single[0]} must be a UUID")
        fmt = _format_param(xr)
        with_attachments = _bool_param(xr, "attachments")
        found = selectors.statement_get(client=client, statement_id=value, voided=single[0] == "voidedStatementId")
        if found is None:
            raise HttpFailure(404, "no such statement")
        data = _format(found.data, fmt, xr)
        headers = consistent | {"Last-Modified": _http_date(found.stored)}
        return _statement_response(xr, data, [found.data], with_attachments, headers)
    _params(xr, _QUERY_PARAMS)
    query_args: dict[str, Any] = {}
    if "agent" in params:
        try:
            query_args["agent_ifi"] = agent_ifi(agent_param(params["agent"], v2=xr.v2))
        except Invalid as exc:
            raise HttpFailure(400, f"agent: {exc}") from exc
    if "verb" in params:
        if not is_iri(params["verb"]):
            raise HttpFailure(400, "verb must be an IRI")
        query_args["verb"] = params["verb"]
    if "activity" in params:
        if not is_iri(params["activity"]):
            raise HttpFailure(400, "activity must be an IRI")
        query_args["activity"] = params["activity"]
    if "registration" in params:
        if not is_uuid(params["registration"]):
            raise HttpFailure(400, "registration must be a UUID")
        query_args["registration"] = params["registration"].lower()
    query_args["related_activities"] = _bool_param(xr, "related_activities")
    query_args["related_agents"] = _bool_param(xr, "related_agents")
    query_args["ascending"] = _bool_param(xr, "ascending")
    query_args["since"] = _time_param(xr, "since")
    until = _time_param(xr, "until")
    query_args["until"] = until if until is not None else now
    limit = _limit(xr)
    fmt = _format_param(xr)
    with_attachments = _bool_param(xr, "attachments")
    state = {
        "q": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in query_args.items()},
        "limit": limit,
        "format": fmt,
        "attachments": with_attachments,
        "offset": 0,
        "lang": xr.headers.get("accept-language", ""),
    }
    return _statements_page(xr, state, consistent)


def _limit(xr: XRequest) -> int:
    raw = xr.params.get("limit", "0")
    if not raw.isdigit():
        raise HttpFailure(400, "limit must be a non-negative integer")
    limit = int(raw)
    return PAGE_MAX if limit == 0 or limit > PAGE_MAX else limit


def _format_param(xr: XRequest) -> str:
    fmt = xr.params.get("format", "exact")
    if fmt not in ("exact", "ids", "canonical"):
        raise HttpFailure(400, "format must be exact, ids or canonical")
    return fmt


def _statements_page(xr: XRequest, state: dict[str, Any], headers: dict[str, str]) -> HttpResponse:
    q = dict(state["q"])
    try:
        for key in ("since", "until"):
            if q.get(key):
                q[key] = datetime.fromisoformat(q[key])
        query = selectors.StatementQuery(**q)
    except (TypeError, ValueError) as exc:
        raise HttpFailure(400, "unknown more token") from exc
    rows = selectors.statement_query(client=_client(xr), query=query, offset=state["offset"], limit=state["limit"])
    more = ""
    if len(rows) > state["limit"]:
        rows = rows[: state["limit"]]
        token = base64.urlsafe_b64encode(
            json.dumps(state | {"offset": state["offset"] + state["limit"]}).encode()
        ).decode()
        more = f"/xapi/statements?more={token}"
    xr.headers.setdefault("accept-language", state.get("lang", ""))
    data = [_format(row.data, state["format"], xr) for row in rows]
    last = rows[0].stored if rows else timezone.now()
    body = {"statements": data, "more": more}
    return _statement_response(
        xr, body, [row.data for row in rows], state["attachments"], headers | {"Last-Modified": _http_date(last)}
    )


def _statements_more(xr: XRequest, headers: dict[str, str]) -> HttpResponse:
    _params(xr, {"more"})
    try:
        state = json.loads(base64.urlsafe_b64decode(xr.params["more"].encode()))
        # the token is the client's to forge: every field is checked again (the query is scoped all the same)
        if not isinstance(state, dict) or not isinstance(state.get("q"), dict):
            raise ValueError("no query")
        state["q"] = {k: v for k, v in state["q"].items() if k in selectors.StatementQuery.__dataclass_fields__}
        state["limit"] = min(max(int(state["limit"]), 1), PAGE_MAX)
        state["offset"] = max(int(state["offset"]), 0)
        if state.get("format") not in ("exact", "ids", "canonical"):
            raise ValueError("format")
        state["attachments"] = state.get("attachments") is True
        state["lang"] = str(state.get("lang", ""))[:200]
    except (ValueError, TypeError, KeyError) as exc:
        raise HttpFailure(400, "unknown more token") from exc
    return _statements_page(xr, state, headers)


def _statement_response(
    xr: XRequest, body: Any, raw: list[dict[str, Any]], with_attachments: bool, headers: dict[str, str]
) -> HttpResponse:
    if not with_attachments:
        return respond(xr, body, headers=headers)
    found = selectors.attachments_for(client=_client(xr), statements=raw)
    content, boundary = multipart_build(
        json.dumps(body, ensure_ascii=False).encode(), [(a.sha2, a.content_type, bytes(a.content)) for a in found]
    )
    return respond(xr, raw=content, content_type=f"multipart/mixed; boundary={boundary}", headers=headers)


# ---- format=ids / canonical ----


def _format(data: dict[str, Any], fmt: str, xr: XRequest) -> dict[str, Any]:
    if fmt == "exact":
        return data
    if fmt == "ids":
        return _ids(data)
    return _canonical(data, _languages(xr.headers.get("accept-language", "")))


def _agent_ids(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {"objectType": value.get("objectType", "Agent")}
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in value:
            out[key] = value[key]
            break
    if out["objectType"] == "Group" and "member" in value and len(out) == 1:
        out["member"] = [_agent_ids(m) for m in value["member"]]
    return out


def _ids(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["actor"] = _agent_ids(data["actor"])
    out["verb"] = {"id": data["verb"]["id"]}
    obj = data["object"]
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        out["object"] = {"id": obj["id"]}
    elif kind in ("Agent", "Group"):
        out["object"] = _agent_ids(obj)
    elif kind == "SubStatement":
        out["object"] = _ids(obj)
    if "authority" in data:
        out["authority"] = _agent_ids(data["authority"])
    if "context" in data:
        context = dict(data["context"])
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _agent_ids(context[key])
        if "contextActivities" in context:
            context["contextActivities"] = {
                key: [{"id": a["id"]} for a in items] for key, items in context["contextActivities"].items()
            }
        for key, inner in (("contextAgents", "agent"), ("contextGroups", "group")):
            if key in context:
                context[key] = [item | {inner: _agent_ids(item[inner])} for item in context[key]]
        out["context"] = context
    return out


def _languages(header: str) -> list[str]:
    ranked: list[tuple[float, str]] = []
    for item in header.split(","):
        lang, _, q = item.strip().partition(";q=")
        if lang:
            try:
                ranked.append((float(q) if q else 1.0, lang.strip().lower()))
            except ValueError:
                continue
    return [lang for _, lang in sorted(ranked, key=lambda pair: -pair[0])]


def _pick(value: Any, langs: list[str]) -> Any:
    if not isinstance(value, dict) or not value:
        return value
    lower = {key.lower(): key for key in value}
    for lang in langs:
        if lang == "*":
            break
        if lang in lower:
            return {lower[lang]: value[lower[lang]]}
        for key in lower:
            if key.split("-")[0] == lang.split("-")[0]:
                return {lower[key]: value[lower[key]]}
    first = next(iter(value))
    return {first: value[first]}


def _canonical(data: dict[str, Any], langs: list[str]) -> dict[str, Any]:
    out = json.loads(json.dumps(data))

    def activity(value: dict[str, Any]) -> None:
        definition = value.get("definition")
        if isinstance(definition, dict):
            for key in ("name", "description"):
                if key in definition:
                    definition[key] = _pick(definition[key], langs)
            for key in ("choices", "scale", "source", "target", "steps"):
                for item in definition.get(key) or []:
                    if "description" in item:
                        item["description"] = _pick(item["description"], langs)

    def body(part: dict[str, Any]) -> None:
        if "display" in part.get("verb", {}):
            part["verb"]["display"] = _pick(part["verb"]["display"], langs)
        obj = part.get("object", {})
        if obj.get("objectType", "Activity") == "Activity":
            activity(obj)
        elif obj.get("objectType") == "SubStatement":
            body(obj)
        for items in ((part.get("context") or {}).get("contextActivities") or {}).values():
            for item in items:
                activity(item)
        for item in part.get("attachments") or []:
            for key in ("display", "description"):
                if key in item:
                    item[key] = _pick(item[key], langs)

    body(out)
    return out


# ---- documents ----


def _agent_key(xr: XRequest, *, required: bool = True) -> str:
    raw = xr.params.get("agent")
    if raw is None:
        if required:
            raise HttpFailure(400, "agent parameter required")
        return ""
    try:
        return agent_ifi(agent_param(raw, v2=xr.v2))
    except Invalid as exc:
        raise HttpFailure(400, f"agent: {exc}") from exc


def _activity_key(xr: XRequest) -> str:
    value = xr.params.get("activityId")
    if value is None:
        raise HttpFailure(400, "activityId parameter required")
    if not is_iri(value):
        raise HttpFailure(400, "activityId must be an IRI")
    return value


def state(xr: XRequest) -> HttpResponse:
    _params(xr, {"activityId", "agent", "stateId", "registration", "since"})
    activity = _activity_key(xr)
    agent = _agent_key(xr)
    registration = xr.params.get("registration", "")
    if registration and not is_uuid(registration):
        raise HttpFailure(400, "registration must be a UUID")
    key = DocumentKey(
        kind=Document.Kind.STATE, activity_id=activity, agent_ifi=agent, registration=registration.lower()
    )
    return _document(xr, key, "stateId", many_delete=True)


def activity_profile(xr: XRequest) -> HttpResponse:
    _params(xr, {"activityId", "profileId", "since"})
    key = DocumentKey(kind=Document.Kind.ACTIVITY_PROFILE, activity_id=_activity_key(xr))
    return _document(xr, key, "profileId", many_delete=False)


def agent_profile(xr: XRequest) -> HttpResponse:
    _params(xr, {"agent", "profileId", "since"})
    key = DocumentKey(kind=Document.Kind.AGENT_PROFILE, agent_ifi=_agent_key(xr))
    return _document(xr, key, "profileId", many_delete=False)


def _document(xr: XRequest, key: DocumentKey, id_name: str, *, many_delete: bool) -> HttpResponse:
    client = _client(xr)
    doc_id = xr.params.get(id_name)
    if xr.method in _READ:
        if doc_id is None:
            since = _time_param(xr, "since")
            ids = selectors.document_list(client=client, key=key, since=since)
            return respond(xr, ids)
        if "since" in xr.params:
            raise HttpFailure(400, "since is only for lists")
        doc = selectors.document_get(client=client, key=key, doc_id=doc_id)
        if doc is None:
            raise HttpFailure(404, "no such document")
        return respond(
            xr,
            raw=bytes(doc.content),
            content_type=doc.content_type,
            headers={"ETag": f'"{doc.etag}"', "Last-Modified": _http_date(doc.updated)},
        )
    if "since" in xr.params:
        raise HttpFailure(400, "since is only for GET")
    if xr.method == "DELETE":
        if doc_id is None and not many_delete:
            raise HttpFailure(400, f"{id_name} parameter required")
        services.document_delete(
            client=client,
            key=key,
            doc_id=doc_id,
            if_match=xr.headers.get("if-match"),
            if_none_match=xr.headers.get("if-none-match"),
        )
        return respond(xr, status=204)
    if xr.method not in ("PUT", "POST"):
        raise HttpFailure(405, "documents take GET, HEAD, PUT, POST and DELETE")
    if doc_id is None:
        raise HttpFailure(400, f"{id_name} parameter required")
    content_type = xr.content_type or "application/octet-stream"
    if content_type.split(";")[0].strip().lower() == "application/json":
        try:
            json_loads(xr.body)
        except Invalid as exc:
            raise HttpFailure(400, "the document is declared JSON but is not") from exc
    # a profile PUT names its precondition (400 without one, 409 when the document exists); in 2.0 a State PUT
    # over an existing document does too (409)
    profile = key.kind != Document.Kind.STATE
    require = profile or xr.v2
    if (
        profile
        and xr.method == "PUT"
        and "if-match" not in xr.headers
        and "if-none-match" not in xr.headers
        and selectors.document_get(client=client, key=key, doc_id=doc_id) is None
    ):
        raise HttpFailure(400, "PUT on a profile needs If-Match or If-None-Match")
    services.document_put(
        client=client,
        key=key,
        doc_id=doc_id,
        content=xr.body,
        content_type=content_type,
        merge=xr.method == "POST",
        if_match=xr.headers.get("if-match"),
        if_none_match=xr.headers.get("if-none-match"),
        require_precondition=require,
    )
    return respond(xr, status=204)


# ---- activities and agents ----


def activities(xr: XRequest) -> HttpResponse:
    if xr.method not in _READ:
        raise HttpFailure(405, "the Activities resource is read-only")
    _params(xr, {"activityId"})
    activity_id = _activity_key(xr)
    found = selectors.activity_get(client=_client(xr), activity_id=activity_id)
    return respond(xr, found or {"objectType": "Activity", "id": activity_id})


def agents(xr: XRequest) -> HttpResponse:
    if xr.method not in _READ:
        raise HttpFailure(405, "the Agents resource is read-only")
    _params(xr, {"agent"})
    raw = xr.params.get("agent")
    if raw is None:
        raise HttpFailure(400, "agent parameter required")
    try:
        agent = agent_param(raw, v2=xr.v2)
    except Invalid as exc:
        raise HttpFailure(400, f"agent: {exc}") from exc
    person: dict[str, Any] = {"objectType": "Person"}
    if "name" in agent:
        person["name"] = [agent["name"]]
    for key in ("mbox", "mbox_sha1sum", "openid", "account"):
        if key in agent:
            person[key] = [agent[key]]
    return respond(xr, person)


_HANDLERS = {
    "statements": statements,
    "activities/state": state,
    "activities/profile": activity_profile,
    "agents/profile": agent_profile,
    "activities": activities,
    "agents": agents,
}

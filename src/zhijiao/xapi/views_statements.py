"""The Statement resource: PUT and POST (JSON or multipart/mixed with attachments, signed statements), GET by id or
by query with ``more`` paging, ``format`` and ``attachments``."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any

from cryptography import x509
from django.http import HttpResponse
from django.utils import timezone
from jwcrypto import jwk, jws  # django-oauth-toolkit's JOSE library

from zhijiao.xapi import selectors, services
from zhijiao.xapi.errors import XapiError
from zhijiao.xapi.formats import statement_format
from zhijiao.xapi.http import (
    READ,
    HttpFailure,
    XRequest,
    bool_param,
    caller,
    http_date,
    multipart_build,
    multipart_parse,
    params_check,
    respond,
    time_param,
)
from zhijiao.xapi.validation import (
    SIGNATURE_USAGE,
    Invalid,
    agent_ifi,
    agent_param,
    format_timestamp,
    is_iri,
    is_uuid,
    json_loads,
    statement_check,
)

PAGE_MAX = 100

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
    if xr.method in READ:
        return _statements_get(xr)
    if xr.method == "PUT":
        return _statements_put(xr)
    if xr.method == "POST":
        return _statements_post(xr)
    raise HttpFailure(405, "the Statement resource takes GET, HEAD, PUT and POST")


def _statements_put(xr: XRequest) -> HttpResponse:
    params_check(xr, {"statementId"})
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
    params_check(xr, set())
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
    client = caller(xr)
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
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
        key = jwk.JWK.from_pyca(cert.public_key())
        signed = jws.JWS()
        signed.deserialize(token)
        signed.verify(key, alg=header["alg"])
    except Exception as exc:  # any failure is a bad signature
        raise HttpFailure(400, "the statement's signature does not verify") from exc


def _statements_get(xr: XRequest) -> HttpResponse:
    client = caller(xr)
    params = xr.params
    now = timezone.now()
    consistent = {"X-Experience-API-Consistent-Through": format_timestamp(now)}
    if "more" in params:
        return _statements_more(xr, consistent)
    single = [key for key in ("statementId", "voidedStatementId") if key in params]
    if single:
        params_check(xr, {"statementId", "voidedStatementId", "format", "attachments"})
        if len(single) > 1:
            raise HttpFailure(400, "statementId and voidedStatementId together")
        value = params[single[0]]
        if not is_uuid(value):
            raise HttpFailure(400, f"{single[0]} must be a UUID")
        fmt = _format_param(xr)
        with_attachments = bool_param(xr, "attachments")
        found = selectors.statement_get(client=client, statement_id=value, voided=single[0] == "voidedStatementId")
        if found is None:
            raise HttpFailure(404, "no such statement")
        if selectors.statements_blocked(client=client, statements=[found]):
            raise HttpFailure(
                403,
                "the statement is about a pupil under the consent age: no guardian's consent",
                XapiError.XAPI_CONSENT,
            )
        data = statement_format(found.data, fmt, xr.headers.get("accept-language", ""))
        headers = consistent | {"Last-Modified": http_date(found.stored)}
        return _statement_response(xr, data, [found.data], with_attachments, headers)
    params_check(xr, _QUERY_PARAMS)
    query_args: dict[str, Any] = {}
    if "agent" in params:
        try:
            agent = agent_param(params["agent"], v2=xr.v2)
            query_args["agent_ifi"] = agent_ifi(agent)
        except Invalid as exc:
            raise HttpFailure(400, f"agent: {exc}") from exc
        if selectors.agent_blocked(client=client, agent=agent):
            raise HttpFailure(
                403, "the agent is a pupil under the consent age: no guardian's consent", XapiError.XAPI_CONSENT
            )
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
    query_args["related_activities"] = bool_param(xr, "related_activities")
    query_args["related_agents"] = bool_param(xr, "related_agents")
    query_args["ascending"] = bool_param(xr, "ascending")
    query_args["since"] = time_param(xr, "since")
    until = time_param(xr, "until")
    query_args["until"] = until if until is not None else now
    limit = _limit(xr)
    fmt = _format_param(xr)
    with_attachments = bool_param(xr, "attachments")
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
    rows = selectors.statement_query(client=caller(xr), query=query, offset=state["offset"], limit=state["limit"])
    more = ""
    if len(rows) > state["limit"]:
        rows = rows[: state["limit"]]
        token = base64.urlsafe_b64encode(
            json.dumps(state | {"offset": state["offset"] + state["limit"]}).encode()
        ).decode()
        more = f"/xapi/statements?more={token}"
    blocked = selectors.statements_blocked(client=caller(xr), statements=rows)
    if blocked:  # about pupils under the consent age without the guardian's consent for this app: left out
        rows = [row for row in rows if row.pk not in blocked]
    xr.headers.setdefault("accept-language", state.get("lang", ""))
    data = [statement_format(row.data, state["format"], xr.headers.get("accept-language", "")) for row in rows]
    last = rows[0].stored if rows else timezone.now()
    body = {"statements": data, "more": more}
    return _statement_response(
        xr, body, [row.data for row in rows], state["attachments"], headers | {"Last-Modified": http_date(last)}
    )


def _statements_more(xr: XRequest, headers: dict[str, str]) -> HttpResponse:
    params_check(xr, {"more"})
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
    found = selectors.attachments_for(client=caller(xr), statements=raw)
    content, boundary = multipart_build(
        json.dumps(body, ensure_ascii=False).encode(), [(a.sha2, a.content_type, bytes(a.content)) for a in found]
    )
    return respond(xr, raw=content, content_type=f"multipart/mixed; boundary={boundary}", headers=headers)

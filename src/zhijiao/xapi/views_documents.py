"""The document resources (State, Activity Profile, Agent Profile, with ETag preconditions) and the Activities and
Agents resources."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from zhijiao.xapi import selectors, services
from zhijiao.xapi.http import (
    READ,
    HttpFailure,
    XRequest,
    caller,
    http_date,
    params_check,
    respond,
    time_param,
)
from zhijiao.xapi.models import Document
from zhijiao.xapi.services import DocumentKey
from zhijiao.xapi.validation import Invalid, agent_ifi, agent_param, is_iri, is_uuid, json_loads


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
    params_check(xr, {"activityId", "agent", "stateId", "registration", "since"})
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
    params_check(xr, {"activityId", "profileId", "since"})
    key = DocumentKey(kind=Document.Kind.ACTIVITY_PROFILE, activity_id=_activity_key(xr))
    return _document(xr, key, "profileId", many_delete=False)


def agent_profile(xr: XRequest) -> HttpResponse:
    params_check(xr, {"agent", "profileId", "since"})
    key = DocumentKey(kind=Document.Kind.AGENT_PROFILE, agent_ifi=_agent_key(xr))
    return _document(xr, key, "profileId", many_delete=False)


def _document(xr: XRequest, key: DocumentKey, id_name: str, *, many_delete: bool) -> HttpResponse:
    client = caller(xr)
    doc_id = xr.params.get(id_name)
    if xr.method in READ:
        if doc_id is None:
            since = time_param(xr, "since")
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
            headers={"ETag": f'"{doc.etag}"', "Last-Modified": http_date(doc.updated)},
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
    if xr.method not in READ:
        raise HttpFailure(405, "the Activities resource is read-only")
    params_check(xr, {"activityId"})
    activity_id = _activity_key(xr)
    found = selectors.activity_get(client=caller(xr), activity_id=activity_id)
    return respond(xr, found or {"objectType": "Activity", "id": activity_id})


def agents(xr: XRequest) -> HttpResponse:
    if xr.method not in READ:
        raise HttpFailure(405, "the Agents resource is read-only")
    params_check(xr, {"agent"})
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

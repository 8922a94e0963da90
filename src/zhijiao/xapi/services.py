"""Writes of the learning record store: statements (immutable, voiding), attachments, documents, credentials.

Every function takes the calling ``client`` (the app's :class:`Credential`); statements and documents belong to
the client's app. Validation errors raise :class:`~zhijiao.xapi.validation.Invalid` (400); conflicts raise
:class:`XapiFailure` with the HTTP status the xAPI spec names.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhijiao.oidc.models import RegisteredApp
from zhijiao.oidc.services import app_register
from zhijiao.xapi import rows
from zhijiao.xapi.errors import XapiError
from zhijiao.xapi.learners import consent_refused, group_members, learner_of, learners_for, statement_agents
from zhijiao.xapi.models import Attachment, Credential, Document
from zhijiao.xapi.validation import VERB_VOIDED, agent_ifi, format_timestamp, json_loads, parse_timestamp

SCOPE_READ = "xapi:read"
SCOPE_WRITE = "xapi:write"
SCOPE_READ_ALL = "xapi:read:all"
# the registered app under which the platform's own statements are stored (resource views, plays, downloads)
PLATFORM_APP = "智教平台"


def is_platform(client: Credential) -> bool:
    """The platform itself (not a third-party app: the minors' consent rule for apps does not apply)."""
    return bool(getattr(client, "platform", False))


class XapiFailure(Exception):
    """A refusal with an HTTP status (404, 409, 412, 428 …) and an English detail for the xAPI client."""

    def __init__(self, status: int, detail: str, code: Any = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code  # an XapiError naming the refusal more precisely than its status


# ---- credentials ----


def secret_hash(secret: str) -> str:
    """LRS secrets are 192-bit random tokens, not passwords: one SHA-256 is enough and keeps each request fast."""
    return "sha256$" + hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCredential:
    key: str
    secret: str


def credential_issue(
    *, app: RegisteredApp, scopes: Iterable[str] = (SCOPE_READ, SCOPE_WRITE), version: str = "2.0.0"
) -> IssuedCredential:
    """A new HTTP Basic key and secret for ``app``; the secret is returned once and stored hashed. ``version`` is
    the xAPI version the LRS names in its answer to this app's requests that name none (they are refused)."""
    key = secrets.token_hex(10)
    secret = secrets.token_urlsafe(24)
    Credential.objects.create(
        app=app, key=key, secret_hash=secret_hash(secret), scopes=list(scopes), default_version=version
    )
    return IssuedCredential(key=key, secret=secret)


def app_for_lrs(*, name: str) -> tuple[RegisteredApp, bool]:
    """The registered app called ``name``, registered now when it is not (True): a confidential OIDC client whose
    secret nobody is told, so it signs nobody in until an administrator resets the secret. Audited as app.register."""
    found = RegisteredApp.objects.filter(application__name=name).first()
    if found is not None:
        return found, False
    app, _secret = app_register(
        actor=None,
        name=name,
        redirect_uris=["http://localhost/"],
        description="学习记录库接入应用（由 zhijiao xapi credentials 登记）",
    )
    return app, True


def authority_for(client: Credential) -> dict[str, Any]:
    """The ``authority`` the LRS writes into every statement the client stores: the app, as an account; for an app
    acting for a person (OIDC access token) the OAuth pair xAPI names: a Group of the app and the person's ``sub``."""
    app = {
        "objectType": "Agent",
        "name": str(client.app.application.name),
        "account": {"homePage": "urn:zhijiao:apps", "name": str(client.app.application.client_id)},
    }
    if not client.on_behalf_of:
        return app
    person = {"objectType": "Agent", "account": {"homePage": "urn:zhijiao:sub", "name": client.on_behalf_of}}
    return {"objectType": "Group", "member": [app, person]}


# ---- statements ----


def _links(data: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(kind, value, direct) for every agent and activity the statement mentions."""
    out: list[tuple[str, str, bool]] = []

    def agent(value: Any, direct: bool) -> None:
        if not isinstance(value, dict):
            return
        ifi = agent_ifi(value)
        if ifi:
            out.append(("agent", ifi, direct))
        for member in value.get("member") or []:
            if isinstance(member, dict) and agent_ifi(member):
                out.append(("agent", agent_ifi(member), False))

    def activity(value: Any, direct: bool) -> None:
        if isinstance(value, dict) and value.get("objectType", "Activity") == "Activity" and value.get("id"):
            out.append(("activity", str(value["id"]), direct))

    def body(part: dict[str, Any], top: bool) -> None:
        agent(part.get("actor"), top)
        obj = part.get("object") or {}
        kind = obj.get("objectType", "Activity")
        if kind in ("Agent", "Group"):
            agent(obj, top)
        elif kind == "Activity":
            activity(obj, top)
        elif kind == "SubStatement":
            body(obj, False)
        context = part.get("context") or {}
        agent(context.get("instructor"), False)
        agent(context.get("team"), False)
        for item in context.get("contextAgents") or []:
            agent(item.get("agent"), False)
        for item in context.get("contextGroups") or []:
            agent(item.get("group"), False)
        for items in (context.get("contextActivities") or {}).values():
            for item in items if isinstance(items, list) else [items]:
                activity(item, False)

    body(data, True)
    agent(data.get("authority"), False)
    return out


def _normalise_context_activities(data: dict[str, Any]) -> None:
    for part in (data, data.get("object") if isinstance(data.get("object"), dict) else None):
        if not part:
            continue
        activities = (part.get("context") or {}).get("contextActivities")
        if isinstance(activities, dict):
            for key, value in list(activities.items()):
                if isinstance(value, dict):
                    activities[key] = [value]


_SECONDS = re.compile(r"(\d+)(?:[.,](\d+))?S$")


def duration_comparable(value: Any) -> Any:
    """A duration as xAPI compares it: seconds truncated to hundredths (P0.1237S and P0.12S are equal)."""
    if not isinstance(value, str):
        return value
    return _SECONDS.sub(lambda m: m.group(1) + "." + (m.group(2) or "").ljust(2, "0")[:2] + "S", value)


def statement_comparable(data: dict[str, Any], *, with_timestamp: bool = True) -> dict[str, Any]:
    """The statement as two submissions of it are compared: without what the LRS fills in, durations truncated."""
    out = {k: v for k, v in data.items() if k not in ("stored", "authority", "version", "id")}
    if not with_timestamp:
        out.pop("timestamp", None)
    for part in (out, out.get("object") if isinstance(out.get("object"), dict) else None):
        if part and isinstance(part.get("result"), dict) and "duration" in part["result"]:
            part["result"] = {**part["result"], "duration": duration_comparable(part["result"]["duration"])}
    return out


@dataclass
class Prepared:
    data: dict[str, Any]
    had_timestamp: bool


def _json_copy(value: Any) -> Any:
    """A deep copy of parsed JSON (dicts, lists and immutable scalars): several times faster than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {k: _json_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_copy(v) for v in value]
    return value


def statement_prepare(*, client: Credential, statement: dict[str, Any], stored: datetime, v2: bool) -> Prepared:
    """The statement as it will be stored: id, stored, authority, version and timestamp filled in."""
    data = _json_copy(statement)
    had_timestamp = "timestamp" in data
    data.setdefault("id", str(uuid.uuid4()))
    data["id"] = str(data["id"]).lower()
    data["stored"] = format_timestamp(stored)
    data["authority"] = authority_for(client)
    data.setdefault("version", "2.0.0" if v2 else "1.0.0")
    if not had_timestamp:
        data["timestamp"] = data["stored"]
    elif v2:
        parsed = parse_timestamp(data["timestamp"])
        if parsed is not None and parsed.utcoffset():
            data["timestamp"] = parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")
    _normalise_context_activities(data)
    obj = data.get("object")
    if isinstance(obj, dict) and "objectType" not in obj:
        obj["objectType"] = "Activity"
    return Prepared(data=data, had_timestamp=had_timestamp)


@transaction.atomic
def statements_store(
    *, client: Credential, statements: list[Prepared], attachments: dict[str, tuple[str, bytes]]
) -> list[str]:
    """Store prepared statements (all or none); void their targets; keep their attachments and activities.

    A statement whose id is already stored with the same content is skipped; with other content it is a
    409 Conflict. Returns the ids in order.
    """
    ids = [p.data["id"] for p in statements]
    existing, voided_before = rows.statements_seen(ids=ids, app_id=client.app_id)
    new: list[Prepared] = []
    for p in statements:
        old = existing.get(p.data["id"])
        if old is None:
            new.append(p)
            continue
        if old.app_id != client.app_id or statement_comparable(
            old.data, with_timestamp=p.had_timestamp
        ) != statement_comparable(p.data, with_timestamp=p.had_timestamp):
            raise XapiFailure(409, f"statement {p.data['id']} already exists with other content")
    # the actors and every group member: a Group naming a pupil falls under the consent rule as the pupil would
    known = learners_for(agent for p in new for agent in statement_agents(p.data))
    if known and not is_platform(client) and consent_refused(app=client.app, account_ids=known.values()):
        raise XapiFailure(
            403, "an actor is a pupil under the consent age: this app has no guardian's consent", XapiError.XAPI_CONSENT
        )
    _statements_insert(client=client, items=[p.data for p in new], known=known, voided_before=voided_before)
    for sha2, (content_type, content) in attachments.items():
        Attachment.objects.get_or_create(sha2=sha2, defaults={"content_type": content_type, "content": content})
    return ids


@transaction.atomic
def statements_insert_new(
    *, client: Credential, items: list[dict[str, Any]], authority: dict[str, Any], backdate: bool = False
) -> int:
    """The platform's own statements (``platform``): stored with ``authority``, ``stored`` and ``version`` filled
    in; those whose id is already stored are skipped (the same event delivered twice). Returns how many were new.
    ``backdate`` stores each at its own ``timestamp`` (the demo's history, built in one go)."""
    existing, voided_before = rows.statements_seen(ids=[d["id"] for d in items], app_id=client.app_id)
    stored = format_timestamp(timezone.now())
    new = [
        {**d, "stored": d["timestamp"] if backdate else stored, "authority": authority, "version": "1.0.0"}
        for d in {d["id"]: d for d in items}.values()
        if d["id"] not in existing
    ]
    _statements_insert(client=client, items=new, voided_before=voided_before)
    return len(new)


def _statements_insert(
    *,
    client: Credential,
    items: list[dict[str, Any]],
    voided_before: set[str],
    known: dict[str, int] | None = None,
) -> None:
    """Insert new statements in a few plain queries (``xapi.rows``): the rows, their links, voiding, the activity
    definitions; the platform account each actor maps to (``known``: sub → account id, looked up when not given).
    ``voided_before``: ids among ``items`` that a voiding statement stored earlier names."""
    if not items:
        return
    if known is None:
        known = learners_for(agent for d in items for agent in statement_agents(d))
    app_id = client.app_id
    voids = {
        str(d["object"]["id"]).lower()
        for d in items
        if d["verb"]["id"] == VERB_VOIDED and d["object"].get("objectType") == "StatementRef"
    }
    if voids:  # a voiding statement voids its target (of this app, not itself a voiding statement)
        rows.statements_void(ids=voids, app_id=app_id)
    voided = voids | voided_before
    now = timezone.now()
    values = []
    for data in items:
        obj = data["object"]
        kind = obj.get("objectType", "Activity")
        is_voiding = data["verb"]["id"] == VERB_VOIDED
        values.append(
            {
                "statement_id": data["id"],
                "data": data,
                "app": app_id,
                "stored": parse_timestamp(data["stored"]) or now,
                "actor_ifi": agent_ifi(data["actor"]),
                "verb_id": data["verb"]["id"],
                "activity_id": obj["id"] if kind == "Activity" else "",
                "registration": (data.get("context") or {}).get("registration"),
                "ref_id": str(obj["id"]).lower() if kind == "StatementRef" else None,
                "is_voiding": is_voiding,
                "voided": data["id"] in voided and not is_voiding,
                "learner": learner_of(data["actor"], known),
            }
        )
    try:
        # no savepoint: a failure here fails the whole store (the caller's transaction is rolled back)
        pks = rows.statements_insert(values)
    except IntegrityError as exc:
        raise XapiFailure(409, "a statement with one of these ids already exists") from exc
    rows.links_insert(
        [
            (pk, kind_, value[:2000], direct)
            for pk, data in zip(pks, items, strict=True)
            for kind_, value, direct in dict.fromkeys(_links(data))
        ]
    )
    if known:
        rows.members_insert(_members(pks, items, known))
    _activities_remember([activity for data in items for activity in _activities(data)])


def _members(pks: list[int], items: list[dict[str, Any]], known: dict[str, int]) -> list[tuple[int, int, str]]:
    """(statement pk, account id, role) for the group members that are platform accounts, each once a statement."""
    out: list[tuple[int, int, str]] = []
    for pk, data in zip(pks, items, strict=True):
        seen: set[int] = set()
        for role, member in group_members(data):
            account_id = learner_of(member, known)
            if account_id is not None and account_id not in seen:
                seen.add(account_id)
                out.append((pk, account_id, role))
    return out


def _activities(data: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for part in (data, data["object"] if data["object"].get("objectType") == "SubStatement" else None):
        if not part:
            continue
        obj = part["object"]
        if obj.get("objectType", "Activity") == "Activity":
            found.append(obj)
        for items in ((part.get("context") or {}).get("contextActivities") or {}).values():
            found.extend(items if isinstance(items, list) else [items])
    return found


def _activities_remember(activities: list[dict[str, Any]]) -> None:
    """Keep each activity's canonical definition: created on first sight, later definitions merged in."""
    if not activities:
        return
    known = rows.activities_get(list(dict.fromkeys(a["id"] for a in activities)))
    new: dict[str, dict[str, Any]] = {}
    changed: dict[str, dict[str, Any]] = {}
    for activity in activities:
        current = known.get(activity["id"])
        if current is None:
            known[activity["id"]] = new[activity["id"]] = {"objectType": "Activity", **activity}
            continue
        if "definition" in activity:
            merged = dict(current)
            definition = dict(merged.get("definition") or {})
            for key, value in activity["definition"].items():
                if key in ("name", "description") and isinstance(definition.get(key), dict):
                    definition[key] = {**definition[key], **value}
                else:
                    definition[key] = value
            merged["definition"] = definition
            if merged == current:
                continue
            known[activity["id"]] = merged
            if activity["id"] in new:
                new[activity["id"]] = merged
            else:
                changed[activity["id"]] = merged
    # Concurrent stores touch overlapping activities: rows are inserted and locked in one order (by IRI), so two
    # transactions wait for each other in line instead of deadlocking (PostgreSQL). One another request has just
    # inserted is left as it made it.
    rows.activities_insert([(key, new[key]) for key in sorted(new)])
    rows.activities_update([(key, changed[key]) for key in sorted(changed)])


# ---- documents ----


@dataclass(frozen=True)
class DocumentKey:
    kind: str
    activity_id: str = ""
    agent_ifi: str = ""
    registration: str = ""


def etag_of(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()  # the ETag xAPI asks for


def _is_json(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/json"


def documents_of(client: Credential, key: DocumentKey) -> Any:
    qs = Document.objects.filter(app_id=client.app_id, kind=key.kind)
    if key.activity_id or key.kind != Document.Kind.AGENT_PROFILE:
        qs = qs.filter(activity_id=key.activity_id)
    if key.kind != Document.Kind.ACTIVITY_PROFILE:
        qs = qs.filter(agent_ifi=key.agent_ifi)
    if key.kind == Document.Kind.STATE:
        qs = qs.filter(registration=key.registration)
    return qs


def document_find(*, client: Credential, key: DocumentKey, doc_id: str) -> Document | None:
    return documents_of(client, key).filter(doc_id=doc_id).first()


def _precondition(current: Document | None, *, if_match: str | None, if_none_match: str | None, require: bool) -> None:
    etag = current.etag if current else None
    if if_match is not None:
        tags = [t.strip().strip('"') for t in if_match.split(",")]
        if etag is None or ("*" not in tags and etag not in tags):
            raise XapiFailure(412, "If-Match does not match the document's ETag")
    if if_none_match is not None:
        tags = [t.strip().strip('"') for t in if_none_match.split(",")]
        if etag is not None and ("*" in tags or etag in tags):
            raise XapiFailure(412, "If-None-Match: the document exists")
    if require and current is not None and if_match is None and if_none_match is None:
        raise XapiFailure(409, "the document exists: send If-Match or If-None-Match")


@transaction.atomic
def document_put(
    *,
    client: Credential,
    key: DocumentKey,
    doc_id: str,
    content: bytes,
    content_type: str,
    merge: bool,
    if_match: str | None = None,
    if_none_match: str | None = None,
    require_precondition: bool = False,
) -> Document:
    """Store (PUT) or merge (POST, JSON objects only) a document, honouring If-Match / If-None-Match."""
    current = documents_of(client, key).select_for_update().filter(doc_id=doc_id).first()
    _precondition(current, if_match=if_match, if_none_match=if_none_match, require=require_precondition and not merge)
    if merge and current is not None:
        if not (_is_json(content_type) and _is_json(current.content_type)):
            raise XapiFailure(400, "POST merges JSON documents only")
        try:
            old, new = json_loads(bytes(current.content)), json_loads(content)
        except ValueError as exc:
            raise XapiFailure(400, "the document is not valid JSON") from exc
        if not isinstance(old, dict) or not isinstance(new, dict):
            raise XapiFailure(400, "POST merges JSON objects only")
        content = _dumps({**old, **new})
        content_type = "application/json"
    elif merge and _is_json(content_type):
        try:
            parsed = json_loads(content)
        except ValueError as exc:
            raise XapiFailure(400, "the document is not valid JSON") from exc
        if not isinstance(parsed, dict):
            raise XapiFailure(400, "POST merges JSON objects only")
    now = timezone.now()
    if current is None:
        current = Document(
            app_id=client.app_id,
            kind=key.kind,
            activity_id=key.activity_id,
            agent_ifi=key.agent_ifi,
            registration=key.registration,
            doc_id=doc_id,
        )
    current.content = content
    current.content_type = content_type or "application/octet-stream"
    current.etag = etag_of(content)
    current.updated = now
    current.save()
    return current


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@transaction.atomic
def document_delete(
    *,
    client: Credential,
    key: DocumentKey,
    doc_id: str | None,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> None:
    """Delete one document, or (``doc_id`` None, State only) every document under the key."""
    qs = documents_of(client, key)
    if doc_id is None:
        qs.delete()
        return
    current = qs.filter(doc_id=doc_id).first()
    if if_match is not None or if_none_match is not None:
        _precondition(current, if_match=if_match, if_none_match=if_none_match, require=False)
    if current is not None:
        current.delete()

"""Statement validation: the structure rules of xAPI 1.0.3 and 2.0.0 that an LRS must enforce (400 on failure).

``statement_check(data, v2=...)`` raises :class:`Invalid` with an English detail (xAPI clients read it; the
Chinese message is the error code's). Also the value parsers the resources share: JSON with duplicate keys
refused, IRIs, UUIDs, timestamps, agents and their inverse functional identifier (``agent_ifi``).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

VERB_VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LANG = re.compile(r"^(?:[A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*$")
_MBOX = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?(Z|z|[+-]\d\d(?::?\d\d)?)?$"
)
_NUM = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"^P(?:(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?(?:T(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?|{_NUM}W)$"
)
_MEDIA_TYPE = re.compile(r"^[\w!#$&\-^.+]+/[\w!#$&\-^.+]+(\s*;.*)?$")
_VERSION = re.compile(r"^(1\.0|2\.0)(\.\d+)?$")
INTERACTION_TYPES = frozenset(
    {
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    }
)
_COMPONENTS_FOR = {
    "choice": {"choices"},
    "sequencing": {"choices"},
    "likert": {"scale"},
    "matching": {"source", "target"},
    "performance": {"steps"},
}


class Invalid(Exception):
    """A statement or parameter the LRS refuses with 400; ``args[0]`` says what and where."""


def _fail(where: str, what: str) -> None:
    raise Invalid(f"{where}: {what}")


# ---- JSON ----


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise Invalid(f"duplicate property {key!r}")
        out[key] = value
    return out


def json_loads(raw: bytes | str) -> Any:
    """Parse JSON, refusing duplicate keys, NaN and invalid UTF-8."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except Invalid:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(f"not valid JSON: {exc}") from exc


def _no_constant(name: str) -> Any:
    raise Invalid(f"not valid JSON: {name}")


# ---- scalar values ----


def is_iri(value: Any) -> bool:
    return isinstance(value, str) and bool(_IRI.match(value))


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO 8601 / RFC 3339 timestamp as an aware datetime (naive = UTC); None when it is not one."""
    if not isinstance(value, str):
        return None
    m = _TIMESTAMP.match(value)
    if not m:
        return None
    year, month, day, hour, minute, second, frac, tz = m.groups()
    if tz in ("-00", "-0000", "-00:00"):
        return None
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        zone: timezone = UTC
        if tz and tz not in ("Z", "z"):
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
            if hours > 23 or minutes > 59:
                return None
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=zone)
    except ValueError:
        return None


def format_timestamp(value: datetime) -> str:
    """UTC, milliseconds, ``Z``: how the LRS writes ``stored`` (and the timestamps it fills in)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# ---- structure helpers ----


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(where, "must be a JSON object")
    return value


def _keys(value: dict[str, Any], allowed: set[str] | frozenset[str], where: str) -> None:
    for key, item in value.items():
        if key not in allowed:
            _fail(where, f"unexpected property {key!r}")
        if item is None:
            _fail(where, f"property {key!r} is null")


def _string(value: Any, where: str) -> None:
    if not isinstance(value, str):
        _fail(where, "must be a string")


def _bool(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        _fail(where, "must be true or false")


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(where, "must be a number")
    return float(value)


def _iri(value: Any, where: str) -> None:
    if not is_iri(value):
        _fail(where, "must be an IRI")


def _uuid(value: Any, where: str) -> None:
    if not is_uuid(value):
        _fail(where, "must be a UUID")


def _lang_map(value: Any, where: str) -> None:
    value = _obj(value, where)
    for key, text in value.items():
        if not _LANG.match(key):
            _fail(where, f"{key!r} is not a language tag")
        if not isinstance(text, str):
            _fail(where, f"{key!r} must map to a string")


def _extensions(value: Any, where: str) -> None:
    value = _obj(value, where)
    for key in value:
        if not is_iri(key):
            _fail(where, f"extension key {key!r} must be an IRI")


# ---- agents ----

_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def _ifi_values(value: dict[str, Any], where: str) -> list[str]:
    found = [key for key in _IFIS if key in value]
    for key in found:
        item = value[key]
        if key == "mbox":
            if not isinstance(item, str) or not _MBOX.match(item):
                _fail(where, "mbox must be a mailto: IRI")
        elif key == "mbox_sha1sum":
            if not isinstance(item, str) or not _SHA1.match(item):
                _fail(where, "mbox_sha1sum must be a SHA-1 hex string")
        elif key == "openid":
            _iri(item, f"{where}.openid")
        else:
            account = _obj(item, f"{where}.account")
            _keys(account, {"homePage", "name"}, f"{where}.account")
            if "homePage" not in account or "name" not in account:
                _fail(f"{where}.account", "needs homePage and name")
            _iri(account["homePage"], f"{where}.account.homePage")
            _string(account["name"], f"{where}.account.name")
    return found


def agent_check(value: Any, where: str, *, allow_group: bool = True, v2: bool = False) -> dict[str, Any]:
    """An Agent or (``allow_group``) Group."""
    value = _obj(value, where)
    kind = value.get("objectType", "Agent")
    if kind == "Group" and allow_group:
        _keys(value, {"objectType", "name", "member", *_IFIS}, where)
        ifis = _ifi_values(value, where)
        if len(ifis) > 1:
            _fail(where, "a Group has at most one identifier")
        if "name" in value:
            _string(value["name"], f"{where}.name")
        if "member" in value or not ifis:
            members = value.get("member")
            if not isinstance(members, list):
                _fail(where, "an anonymous Group needs a member list")
                return value
            if not ifis and not members:
                _fail(where, "an anonymous Group needs members")
            for i, member in enumerate(members):
                agent_check(member, f"{where}.member[{i}]", allow_group=False, v2=v2)
        return value
    if kind != "Agent":
        _fail(where, f"objectType {kind!r} is not an Agent" + (" or Group" if allow_group else ""))
    _keys(value, {"objectType", "name", *_IFIS}, where)
    if len(_ifi_values(value, where)) != 1:
        _fail(where, "an Agent needs exactly one identifier (mbox, mbox_sha1sum, openid or account)")
    if "name" in value:
        _string(value["name"], f"{where}.name")
    return value


def agent_ifi(value: dict[str, Any]) -> str:
    """The inverse functional identifier as one comparable string ('' for an anonymous Group)."""
    if "mbox" in value:
        return "mbox:" + str(value["mbox"]).lower()
    if "mbox_sha1sum" in value:
        return "mbox_sha1sum:" + str(value["mbox_sha1sum"]).lower()
    if "openid" in value:
        return "openid:" + str(value["openid"])
    if "account" in value and isinstance(value["account"], dict):
        return "account:" + str(value["account"].get("homePage")) + "|" + str(value["account"].get("name"))
    return ""


def agent_param(raw: str, *, v2: bool = False) -> dict[str, Any]:
    """The ``agent`` query parameter: a JSON Agent (or identified Group) with an identifier."""
    try:
        value = json_loads(raw)
        agent_check(value, "agent", v2=v2)
    except Invalid:
        raise
    if not agent_ifi(value):
        raise Invalid("agent: needs an identifier")
    return value


# ---- activities ----


def _components(value: Any, where: str) -> None:
    if not isinstance(value, list):
        _fail(where, "must be an array")
    seen: set[str] = set()
    for i, item in enumerate(value):
        item = _obj(item, f"{where}[{i}]")
        _keys(item, {"id", "description"}, f"{where}[{i}]")
        if "id" not in item:
            _fail(f"{where}[{i}]", "needs an id")
        _string(item["id"], f"{where}[{i}].id")
        if item["id"] in seen:
            _fail(where, f"duplicate id {item['id']!r}")
        seen.add(item["id"])
        if "description" in item:
            _lang_map(item["description"], f"{where}[{i}].description")


def definition_check(value: Any, where: str) -> None:
    value = _obj(value, where)
    _keys(
        value,
        {
            "name",
            "description",
            "type",
            "moreInfo",
            "extensions",
            "interactionType",
            "correctResponsesPattern",
            "choices",
            "scale",
            "source",
            "target",
            "steps",
        },
        where,
    )
    for key in ("name", "description"):
        if key in value:
            _lang_map(value[key], f"{where}.{key}")
    for key in ("type", "moreInfo"):
        if key in value:
            _iri(value[key], f"{where}.{key}")
    if "extensions" in value:
        _extensions(value["extensions"], f"{where}.extensions")
    interaction = value.get("interactionType")
    if interaction is not None and (not isinstance(interaction, str) or interaction not in INTERACTION_TYPES):
        _fail(where, f"interactionType {interaction!r} is not one of the xAPI interaction types")
    if "correctResponsesPattern" in value:
        pattern = value["correctResponsesPattern"]
        if interaction is None:
            _fail(where, "correctResponsesPattern needs an interactionType")
        if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
            _fail(f"{where}.correctResponsesPattern", "must be an array of strings")
    components = [key for key in ("choices", "scale", "source", "target", "steps") if key in value]
    for key in components:
        if interaction is None:
            _fail(where, f"{key} needs an interactionType")
        if key not in _COMPONENTS_FOR.get(str(interaction), set()):
            _fail(where, f"{key} is not allowed for interactionType {interaction!r}")
        _components(value[key], f"{where}.{key}")


def activity_check(value: Any, where: str) -> dict[str, Any]:
    value = _obj(value, where)
    _keys(value, {"objectType", "id", "definition"}, where)
    if value.get("objectType", "Activity") != "Activity":
        _fail(where, "objectType must be Activity")
    if "id" not in value:
        _fail(where, "an Activity needs an id")
    _iri(value["id"], f"{where}.id")
    if "definition" in value:
        definition_check(value["definition"], f"{where}.definition")
    return value


# ---- statement parts ----


def verb_check(value: Any, where: str) -> None:
    value = _obj(value, where)
    _keys(value, {"id", "display"}, where)
    if "id" not in value:
        _fail(where, "a Verb needs an id")
    _iri(value["id"], f"{where}.id")
    if "display" in value:
        _lang_map(value["display"], f"{where}.display")


def _object_check(value: Any, where: str, *, sub: bool, v2: bool) -> str:
    value = _obj(value, where)
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        activity_check(value, where)
    elif kind in ("Agent", "Group"):
        agent_check(value, where, v2=v2)
    elif kind == "StatementRef":
        _keys(value, {"objectType", "id"}, where)
        if "id" not in value:
            _fail(where, "a StatementRef needs an id")
        _uuid(value["id"], f"{where}.id")
    elif kind == "SubStatement":
        if sub:
            _fail(where, "a SubStatement cannot contain a SubStatement")
        _statement_body(value, where, sub=True, v2=v2)
    else:
        _fail(where, f"unknown objectType {kind!r}")
    return str(kind)


def _score_check(value: Any, where: str) -> None:
    value = _obj(value, where)
    _keys(value, {"scaled", "raw", "min", "max"}, where)
    numbers = {key: _number(value[key], f"{where}.{key}") for key in value}
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        _fail(where, "scaled must be between -1 and 1")
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and low >= high:
        _fail(where, "min must be less than max")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        _fail(where, "raw must lie between min and max")


def _result_check(value: Any, where: str) -> None:
    value = _obj(value, where)
    _keys(value, {"score", "success", "completion", "response", "duration", "extensions"}, where)
    if "score" in value:
        _score_check(value["score"], f"{where}.score")
    for key in ("success", "completion"):
        if key in value:
            _bool(value[key], f"{where}.{key}")
    if "response" in value:
        _string(value["response"], f"{where}.response")
    if "duration" in value:
        if not isinstance(value["duration"], str) or not _DURATION.match(value["duration"]):
            _fail(f"{where}.duration", "must be an ISO 8601 duration")
        if value["duration"].endswith("T"):
            _fail(f"{where}.duration", "must be an ISO 8601 duration")
    if "extensions" in value:
        _extensions(value["extensions"], f"{where}.extensions")


def _relevant_types(value: Any, where: str) -> None:
    if not isinstance(value, list) or not value:
        _fail(where, "must be a non-empty array of IRIs")
    for i, item in enumerate(value):
        _iri(item, f"{where}[{i}]")


def _context_check(value: Any, where: str, *, object_kind: str, v2: bool) -> None:
    value = _obj(value, where)
    allowed = {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
    if v2:
        allowed |= {"contextAgents", "contextGroups"}
    _keys(value, allowed, where)
    if "registration" in value:
        _uuid(value["registration"], f"{where}.registration")
    if "instructor" in value:
        agent_check(value["instructor"], f"{where}.instructor", v2=v2)
    if "team" in value:
        team = agent_check(value["team"], f"{where}.team", v2=v2)
        if team.get("objectType") != "Group":
            _fail(f"{where}.team", "must be a Group")
    if "contextActivities" in value:
        activities = _obj(value["contextActivities"], f"{where}.contextActivities")
        _keys(activities, {"parent", "grouping", "category", "other"}, f"{where}.contextActivities")
        for key, items in activities.items():
            for i, item in enumerate(items if isinstance(items, list) else [items]):
                activity_check(item, f"{where}.contextActivities.{key}[{i}]")
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], f"{where}.{key}")
            if object_kind != "Activity":
                _fail(where, f"{key} is only allowed when the object is an Activity")
    if "language" in value and (not isinstance(value["language"], str) or not _LANG.match(value["language"])):
        _fail(f"{where}.language", "must be a language tag")
    if "statement" in value:
        ref = _obj(value["statement"], f"{where}.statement")
        _keys(ref, {"objectType", "id"}, f"{where}.statement")
        if ref.get("objectType") != "StatementRef" or "id" not in ref:
            _fail(f"{where}.statement", "must be a StatementRef")
        _uuid(ref["id"], f"{where}.statement.id")
    if "extensions" in value:
        _extensions(value["extensions"], f"{where}.extensions")
    for key, label, inner in (("contextAgents", "contextAgent", "agent"), ("contextGroups", "contextGroup", "group")):
        if key not in value:
            continue
        items = value[key]
        if not isinstance(items, list):
            _fail(f"{where}.{key}", "must be an array")
        for i, item in enumerate(items):
            here = f"{where}.{key}[{i}]"
            item = _obj(item, here)
            _keys(item, {"objectType", inner, "relevantTypes"}, here)
            if item.get("objectType") != label:
                _fail(here, f"objectType must be {label}")
            if inner not in item:
                _fail(here, f"needs {inner}")
            found = agent_check(item[inner], f"{here}.{inner}", allow_group=inner == "group", v2=v2)
            if inner == "group" and found.get("objectType") != "Group":
                _fail(f"{here}.group", "must be a Group")
            if "relevantTypes" in item:
                _relevant_types(item["relevantTypes"], f"{here}.relevantTypes")


def _attachments_check(value: Any, where: str) -> None:
    if not isinstance(value, list):
        _fail(where, "must be an array")
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        item = _obj(item, here)
        _keys(item, {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"}, here)
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in item:
                _fail(here, f"needs {key}")
        _iri(item["usageType"], f"{here}.usageType")
        _lang_map(item["display"], f"{here}.display")
        if "description" in item:
            _lang_map(item["description"], f"{here}.description")
        if not isinstance(item["contentType"], str) or not _MEDIA_TYPE.match(item["contentType"]):
            _fail(f"{here}.contentType", "must be an Internet Media Type")
        if isinstance(item["length"], bool) or not isinstance(item["length"], int) or item["length"] < 0:
            _fail(f"{here}.length", "must be a non-negative integer")
        _string(item["sha2"], f"{here}.sha2")
        if "fileUrl" in item:
            _iri(item["fileUrl"], f"{here}.fileUrl")


def _statement_body(value: dict[str, Any], where: str, *, sub: bool, v2: bool) -> None:
    allowed = {"actor", "verb", "object", "result", "context", "timestamp", "attachments"}
    allowed |= {"objectType"} if sub else {"id", "stored", "authority", "version"}
    _keys(value, allowed, where)
    for key in ("actor", "verb", "object"):
        if key not in value:
            _fail(where, f"needs {key}")
    if "id" in value:
        _uuid(value["id"], f"{where}.id")
    agent_check(value["actor"], f"{where}.actor", v2=v2)
    verb_check(value["verb"], f"{where}.verb")
    kind = _object_check(value["object"], f"{where}.object", sub=sub, v2=v2)
    if "result" in value:
        _result_check(value["result"], f"{where}.result")
    if "context" in value:
        _context_check(value["context"], f"{where}.context", object_kind=kind, v2=v2)
    if "timestamp" in value and parse_timestamp(value["timestamp"]) is None:
        _fail(f"{where}.timestamp", "must be an ISO 8601 timestamp")
    if "stored" in value and parse_timestamp(value["stored"]) is None:
        _fail(f"{where}.stored", "must be an ISO 8601 timestamp")
    if "authority" in value:
        authority = agent_check(value["authority"], f"{where}.authority", v2=v2)
        if authority.get("objectType") == "Group":
            members = authority.get("member") or []
            if len(members) != 2 or agent_ifi(authority):
                _fail(f"{where}.authority", "a Group authority is anonymous with exactly two Agents (OAuth)")
    if "version" in value and (not isinstance(value["version"], str) or not _VERSION.match(value["version"])):
        _fail(f"{where}.version", "must be a 1.0.x or 2.0.x version")
    if "attachments" in value:
        _attachments_check(value["attachments"], f"{where}.attachments")
    voiding = value["verb"].get("id") == VERB_VOIDED and not sub
    if voiding and value["object"].get("objectType") != "StatementRef":
        _fail(where, "a voiding statement's object must be a StatementRef")


def statement_check(value: Any, *, v2: bool) -> dict[str, Any]:
    """Raise :class:`Invalid` unless ``value`` is a valid xAPI statement; return it."""
    value = _obj(value, "statement")
    _statement_body(value, "statement", sub=False, v2=v2)
    return value


def new_uuid() -> str:
    return str(uuid.uuid4())

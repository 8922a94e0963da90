"""The Statement resource's ``format`` parameter: ``ids`` (identifiers only) and ``canonical`` (one language per
language map, chosen by Accept-Language)."""

from __future__ import annotations

import json
from typing import Any


def statement_format(data: dict[str, Any], fmt: str, accept_language: str) -> dict[str, Any]:
    if fmt == "exact":
        return data
    if fmt == "ids":
        return _ids(data)
    return _canonical(data, _languages(accept_language))


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

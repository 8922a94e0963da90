"""Writing the audit log. Callers pass an :class:`Origin` describing where the action came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import HttpRequest

from zhijiao.audit.models import AuditEvent


@dataclass(frozen=True)
class Origin:
    channel: str = "cli"  # web, api, cli, job
    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, channel: str = "web") -> Origin:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
        return cls(channel=channel, ip=ip or None, user_agent=request.META.get("HTTP_USER_AGENT", "")[:255])


@dataclass(frozen=True)
class Target:
    type: str
    id: str
    label: str = ""


def audit_record(
    *,
    actor,
    action: str,
    origin: Origin,
    target: Target | None = None,
    fields: Sequence[str] = (),
) -> AuditEvent:
    """Append one event to the audit log."""
    return AuditEvent.objects.create(**_event_kwargs(actor, action, origin, target, fields))


def _event_kwargs(actor, action: str, origin: Origin, target: Target | None, fields: Sequence[str]) -> dict:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return {
        "actor": actor if authenticated else None,
        "actor_username": actor.get_username() if authenticated else "",
        "action": action,
        "target_type": target.type if target else "",
        "target_id": target.id if target else "",
        "target_label": (target.label if target else "")[:128],
        "fields": list(fields),
        "ip": origin.ip,
        "user_agent": origin.user_agent,
        "channel": origin.channel,
    }

from __future__ import annotations

from django.db.models import QuerySet

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import Forbidden
from zhijiao.identity.scope import scope_for


def audit_event_list(*, actor, action: str | None = None, target_type: str | None = None) -> QuerySet[AuditEvent]:
    """The audit log: platform administrators only."""
    scope = scope_for(actor)
    events = AuditEvent.objects.select_related("actor")
    if not scope.is_platform_admin:
        raise Forbidden()
    if action:
        events = events.filter(action=action)
    if target_type:
        events = events.filter(target_type=target_type)
    return events

from __future__ import annotations

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.selectors import audit_chain_verify
from zhijiao.audit.services import Origin, audit_record
from zhijiao.audit.tasks import nightly_audit_prune

pytestmark = pytest.mark.django_db


def test_nightly_prune_runs_through_huey(settings, caplog):
    settings.ZHIJIAO_AUDIT_RETENTION_DAYS = 1
    event = audit_record(actor=None, action="auth.login", origin=Origin())
    # the task prunes against the real clock, so this event is young: nothing to prune yet
    caplog.set_level("INFO", logger="zhijiao.audit")
    assert nightly_audit_prune.call_local() == 0
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert f"#{event.pk} {event.hash}" in caplog.text
    assert audit_chain_verify() == []

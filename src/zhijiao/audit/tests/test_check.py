"""`zhijiao check` (the selfcheck command behind it) reports a tampered audit log and fails."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.web.integrity import integrity_report

pytestmark = pytest.mark.django_db


def _audit_check(report):
    return next(r for r in report if r.title == "审计日志")


def test_check_passes_on_an_intact_log(region):
    for i in range(3):
        audit_record(actor=None, action="auth.login_failed", origin=Origin(), target=Target("account", "", f"u{i}"))
    assert _audit_check(integrity_report()).ok
    out = StringIO()
    call_command("selfcheck", "--json", stdout=out)
    assert {"title": "审计日志", "ok": True, "detail": "哈希链完整，未发现篡改"} in json.loads(out.getvalue())


def test_check_names_the_tampered_event_and_exits_non_zero(region):
    events = [
        audit_record(actor=None, action="auth.login_failed", origin=Origin(), target=Target("account", "", f"u{i}"))
        for i in range(3)
    ]
    AuditEvent.objects.filter(pk=events[1].pk).update(target_label="nobody")
    result = _audit_check(integrity_report())
    assert not result.ok and f"#{events[1].pk}" in result.detail and f"#{events[0].pk}" not in result.detail

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("selfcheck", "--json", stdout=out)
    audit = next(r for r in json.loads(out.getvalue()) if r["title"] == "审计日志")
    assert not audit["ok"] and f"#{events[1].pk}" in audit["detail"]

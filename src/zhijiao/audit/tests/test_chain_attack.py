"""An attacker with write access to the database (but not the audit key or the anchor file) rewrites the log.

Each test is the attack as it would be run: delete or alter rows, then recompute every hash and the chain head
the way the published code computes them. ``zhijiao check`` must notice.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from datetime import UTC

import pytest
from django.apps import apps as django_apps
from django.conf import settings

from zhijiao.audit.chain import CONTENT_FIELDS, LEGACY_CONTENT_FIELDS, event_digest, legacy_digest
from zhijiao.audit.models import AuditChainHead, AuditEvent
from zhijiao.audit.selectors import audit_chain_verify
from zhijiao.audit.services import Origin, Target, audit_anchor, audit_record
from zhijiao.audit.tasks import periodic_audit_anchor
from zhijiao.identity.models import Account
from zhijiao.web.integrity import integrity_report

pytestmark = pytest.mark.django_db

GENESIS = "0" * 64
_COLUMNS = (
    "at",
    "actor_username",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "fields",
    "ip",
    "user_agent",
    "channel",
    "id",
)


def _unkeyed(prev: str, row: dict) -> str:
    """The chain's original, unkeyed digest, as anyone reading the source can compute it."""
    content = {k: v for k, v in row.items() if k in _COLUMNS}
    content["at"] = row["at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S..fZ")
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256((prev + canonical).encode()).hexdigest()


def _rehash(digest) -> None:
    """Recompute every event's ``prev_hash``/``hash`` from the anchor and point the head at the new last one."""
    head = AuditChainHead.objects.get(pk=1)
    prev, last_id = head.anchor_hash, head.anchor_id
    for row in AuditEvent.objects.order_by("id").values(*_COLUMNS, "actor_id"):
        new = digest(prev, row)
        AuditEvent.objects.filter(pk=row["id"]).update(prev_hash=prev, hash=new)
        prev, last_id = new, row["id"]
    AuditChainHead.objects.filter(pk=1).update(last_id=last_id, last_hash=prev)


def _events(n: int = 5) -> list[AuditEvent]:
    return [
        audit_record(actor=None, action="person.view_pii", origin=Origin(), target=Target("student", str(i), f"s{i}"))
        for i in range(n)
    ]


def _audit_check():
    return next(r for r in integrity_report() if r.title == "审计日志")


def test_delete_and_unkeyed_rehash_is_detected(region):
    events = _events()
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    _rehash(_unkeyed)
    result = _audit_check()
    assert not result.ok
    assert f"#{events[3].pk}" in result.detail


def test_altering_the_actor_is_detected(region):
    auditor = Account.objects.create_user(username="auditor-x", password="x")
    scapegoat = Account.objects.create_user(username="scapegoat", password="x")
    event = audit_record(actor=auditor, action="person.view_pii", origin=Origin(), target=Target("student", "1", "s"))
    _events(2)
    AuditEvent.objects.filter(pk=event.pk).update(actor=scapegoat)
    result = _audit_check()
    assert not result.ok
    assert f"#{event.pk}" in result.detail


def test_delete_and_rehash_with_a_guessed_key_is_detected(region):
    events = _events()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    _rehash(lambda prev, row: event_digest(b"guessed", prev, [row[f] for f in CONTENT_FIELDS]))
    result = _audit_check()
    assert not result.ok
    assert "审计密钥" in result.detail


def test_cutting_off_the_end_after_an_anchor_is_detected(region):
    events = _events()
    assert _audit_check().ok  # `zhijiao check` anchors the head: #events[-1]
    anchored = settings.ZHIJIAO_AUDIT_ANCHOR_FILE.read_text().split()
    assert int(anchored[1]) == events[-1].pk and anchored[2] == events[-1].hash
    # the newest two events go, and the head is pointed at what is left: a valid chain, without its end
    AuditEvent.objects.filter(pk__gte=events[3].pk).delete()
    AuditChainHead.objects.filter(pk=1).update(last_id=events[2].pk, last_hash=events[2].hash)
    assert [p.kind for p in audit_chain_verify()] == ["anchor"]
    result = _audit_check()
    assert not result.ok
    assert f"#{events[4].pk} 已不存在" in result.detail and f"#{events[2].pk} 之后的记录被删除" in result.detail


def test_an_edited_anchor_file_is_detected(region):
    _events(2)
    assert _audit_check().ok
    path = settings.ZHIJIAO_AUDIT_ANCHOR_FILE
    at, event_id, head_hash, mac = path.read_text().split()
    path.write_text(f"{at} {int(event_id) - 1} {head_hash} {mac}\n")
    result = _audit_check()
    assert not result.ok and "锚点文件第 1 行" in result.detail


def test_moving_the_chain_start_to_drop_the_oldest_events_is_detected(region):
    events = _events()
    # pretend retention pruned the first two: delete them and make the second the chain's start
    AuditEvent.objects.filter(pk__lte=events[1].pk).delete()
    AuditChainHead.objects.filter(pk=1).update(anchor_id=events[1].pk, anchor_hash=events[1].hash)
    result = _audit_check()
    assert not result.ok and f"起点 #{events[1].pk}" in result.detail


def test_anchoring_writes_only_when_the_head_moved(region, caplog):
    caplog.set_level("INFO", logger="zhijiao.audit.anchor")
    assert audit_anchor() is None  # nothing logged yet
    events = _events(2)
    line = audit_anchor()
    assert line is not None and f" {events[-1].pk} {events[-1].hash} " in line and line in caplog.text
    assert audit_anchor() is None
    _events(1)
    assert periodic_audit_anchor.call_local() is not None
    assert len(settings.ZHIJIAO_AUDIT_ANCHOR_FILE.read_text().splitlines()) == 2
    assert settings.ZHIJIAO_AUDIT_ANCHOR_FILE.stat().st_mode & 0o777 == 0o600
    assert audit_chain_verify() == []


def test_the_chain_is_sealed_with_the_configured_key(region, settings):
    _events(2)
    assert audit_chain_verify() == []
    settings.ZHIJIAO_AUDIT_KEY = b"another key"
    problems = audit_chain_verify()
    assert problems[0].kind == "key"


def _chain_the_old_way() -> None:
    """Re-chain every event with the legacy unkeyed digest, as a log written before migration 0004 was."""
    prev = GENESIS
    for row in AuditEvent.objects.order_by("id").values_list(*LEGACY_CONTENT_FIELDS):
        digest = legacy_digest(prev, row)
        AuditEvent.objects.filter(pk=row[-1]).update(prev_hash=prev, hash=digest)
        prev = digest
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


def test_reseal_migration_rekeys_a_legacy_chain_and_records_it(region):
    """Migration 0004 on a log chained the old way: verified, re-sealed under the key, recorded as audit.reseal."""
    events = _events(3)
    _chain_the_old_way()
    assert audit_chain_verify()  # the old format does not pass under the key

    reseal = importlib.import_module("zhijiao.audit.migrations.0004_keyed_chain").reseal
    reseal(django_apps, None)
    assert audit_chain_verify() == []
    record = AuditEvent.objects.order_by("-id").first()
    assert record.action == "audit.reseal" and record.target_id == str(events[-1].pk)
    assert "重新封存 3 条" in record.target_label and "原哈希链完整" in record.target_label


def test_reseal_migration_says_when_the_legacy_chain_was_already_broken(region):
    events = _events(3)
    _chain_the_old_way()
    AuditEvent.objects.filter(pk=events[1].pk).update(target_label="forged")
    importlib.import_module("zhijiao.audit.migrations.0004_keyed_chain").reseal(django_apps, None)
    record = AuditEvent.objects.order_by("-id").first()
    assert f"1 处异常：#{events[1].pk}" in record.target_label
    assert audit_chain_verify() == []


def test_check_says_where_the_audit_key_comes_from(monkeypatch):
    monkeypatch.delenv("ZHIJIAO_AUDIT_KEY", raising=False)
    assert "audit.key" in next(r for r in integrity_report() if r.title == "审计密钥").detail
    monkeypatch.setenv("ZHIJIAO_AUDIT_KEY", "k")
    assert "环境变量" in next(r for r in integrity_report() if r.title == "审计密钥").detail

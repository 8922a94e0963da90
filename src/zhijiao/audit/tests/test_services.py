from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from zhijiao.audit.chain import CONTENT_FIELDS, GENESIS, event_digest
from zhijiao.audit.models import AuditChainHead, AuditEvent
from zhijiao.audit.selectors import audit_chain_verify
from zhijiao.audit.services import Origin, Target, audit_anchor, audit_prune, audit_record
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.services import account_create

pytestmark = pytest.mark.django_db


def _record(n: int, *, actor=None) -> list[AuditEvent]:
    return [
        audit_record(
            actor=actor,
            action="person.view_pii",
            origin=Origin(channel="web", ip="2001:DB8::1", user_agent="pytest"),
            target=Target("student", str(i), f"学生{i}"),
            fields=["id_number"],
        )
        for i in range(n)
    ]


def test_events_link_into_a_chain_from_genesis():
    actor = account_create(username="auditor", password="irrelevant-123")
    events = _record(3, actor=actor)
    stored = list(AuditEvent.objects.order_by("id").values_list("id", "prev_hash", "hash"))
    assert [pk for pk, _, _ in stored] == [e.pk for e in events]
    assert stored[0][1] == GENESIS
    assert [prev for _, prev, _ in stored[1:]] == [h for _, _, h in stored[:-1]]
    assert all(len(h) == 64 and int(h, 16) >= 0 for _, _, h in stored)
    assert len({h for _, _, h in stored}) == 3
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_id, head.last_hash) == (events[-1].pk, stored[-1][2])
    assert events[-1].hash == stored[-1][2]
    assert audit_chain_verify() == []


def test_the_hash_covers_the_content_and_the_id():
    event = _record(1)[0]
    event.refresh_from_db()
    row = (
        event.at,
        None,
        "",
        "person.view_pii",
        "student",
        "0",
        "学生0",
        ["id_number"],
        event.ip,
        "pytest",
        "web",
        event.pk,
    )
    assert event_digest(settings.ZHIJIAO_AUDIT_KEY, GENESIS, row) == event.hash
    assert event_digest(settings.ZHIJIAO_AUDIT_KEY, GENESIS, (*row[:-1], event.pk + 1)) != event.hash


def test_saving_or_deleting_an_event_is_refused():
    event = _record(1)[0]
    event.target_label = "改过"
    with pytest.raises(ZhijiaoError) as saved:
        event.save()
    assert saved.value.code == "AUDIT_APPEND_ONLY"
    with pytest.raises(ZhijiaoError):
        event.delete()
    assert AuditEvent.objects.get().target_label == "学生0"


def test_a_head_lost_to_a_flush_is_recreated():
    AuditChainHead.objects.all().delete()
    _record(2)
    assert audit_chain_verify() == []


def _backdate(events: list[AuditEvent], *, at) -> None:
    """Give ``events`` an older time, as a long-running database holds them, and re-seal the whole chain."""
    AuditEvent.objects.filter(pk__in=[e.pk for e in events]).update(at=at)
    prev = GENESIS
    for row in AuditEvent.objects.order_by("id").values_list(*CONTENT_FIELDS):
        digest = event_digest(settings.ZHIJIAO_AUDIT_KEY, prev, row)
        AuditEvent.objects.filter(pk=row[-1]).update(prev_hash=prev, hash=digest)
        prev = digest
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    assert audit_chain_verify() == []


def test_prune_removes_old_events_and_keeps_the_chain_verifiable(settings):
    settings.ZHIJIAO_AUDIT_RETENTION_DAYS = 30
    events = _record(5)
    now = timezone.now()
    _backdate(events[:3], at=now - timedelta(days=31))

    assert audit_prune(now=now) == 3

    remaining = list(AuditEvent.objects.order_by("id"))
    assert [e.pk for e in remaining[:2]] == [events[3].pk, events[4].pk]
    prune_event = remaining[-1]
    assert prune_event.action == "audit.prune" and prune_event.channel == "job"
    assert prune_event.target_id == str(events[2].pk)
    head = AuditChainHead.objects.get(pk=1)
    assert head.anchor_id == events[2].pk and head.anchor_hash == remaining[0].prev_hash
    assert head.last_id == prune_event.pk
    assert audit_chain_verify() == []

    # nothing past retention left: nothing pruned, and no event saying so
    assert audit_prune(now=now) == 0
    assert AuditEvent.objects.count() == 3

    AuditEvent.objects.filter(pk=events[4].pk).update(target_label="改过")
    assert [(p.event_id, p.kind) for p in audit_chain_verify()] == [(events[4].pk, "altered")]


def test_prune_cuts_only_a_prefix_of_the_chain(settings):
    # a clock stepped back: an old time after a young event stays, so the anchor still starts the chain
    settings.ZHIJIAO_AUDIT_RETENTION_DAYS = 30
    events = _record(3)
    now = timezone.now()
    _backdate([events[0], events[2]], at=now - timedelta(days=31))
    assert audit_prune(now=now) == 1
    assert list(AuditEvent.objects.order_by("id").values_list("id", flat=True))[:2] == [events[1].pk, events[2].pk]
    assert audit_chain_verify() == []


def test_prune_uses_the_retention_setting(settings):
    settings.ZHIJIAO_AUDIT_RETENTION_DAYS = 186
    events = _record(2)
    now = timezone.now()
    _backdate(events[:1], at=now - timedelta(days=185))
    assert audit_prune(now=now) == 0
    assert audit_prune(now=now + timedelta(days=2)) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_share_a_predecessor():
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite's test database is shared in memory; its writers serialise on the database lock")

    def write(n: int) -> None:
        try:
            for i in range(10):
                audit_record(actor=None, action="auth.login", origin=Origin(), target=Target("account", str(n), str(i)))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    prevs = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prevs) == 40 and len(set(prevs)) == 40
    assert audit_chain_verify() == []


def test_anchors_of_pruned_events_are_skipped_and_later_ones_still_checked(settings):
    settings.ZHIJIAO_AUDIT_RETENTION_DAYS = 30
    events = _record(4)
    now = timezone.now()
    _backdate(events[:2], at=now - timedelta(days=31))
    head = AuditChainHead.objects.get(pk=1)
    # anchor the chain as it stood after the second event (the head pointed there then), and after the fourth
    second = AuditEvent.objects.get(pk=events[1].pk)
    AuditChainHead.objects.filter(pk=1).update(last_id=second.pk, last_hash=second.hash)
    assert audit_anchor() is not None
    AuditChainHead.objects.filter(pk=1).update(last_id=head.last_id, last_hash=head.last_hash)
    assert audit_anchor() is not None
    assert audit_chain_verify() == []

    assert audit_prune(now=now) == 2  # the event anchored first is gone with retention: not a deletion
    assert audit_chain_verify() == []

    AuditEvent.objects.filter(pk=events[3].pk).delete()  # the one anchored later is still demanded
    assert any(p.kind == "anchor" and p.event_id == events[3].pk for p in audit_chain_verify())

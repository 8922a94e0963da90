from __future__ import annotations

import time

import pytest
from django.conf import settings

from zhijiao.audit.chain import CONTENT_FIELDS, event_digest
from zhijiao.audit.models import AuditChainHead, AuditEvent
from zhijiao.audit.selectors import audit_chain_verify
from zhijiao.audit.services import Origin, Target, audit_record

pytestmark = pytest.mark.django_db


def _record(n: int) -> list[AuditEvent]:
    return [
        audit_record(actor=None, action="auth.login_failed", origin=Origin(), target=Target("account", "", f"u{i}"))
        for i in range(n)
    ]


def test_an_intact_chain_and_an_empty_log_verify_clean():
    assert audit_chain_verify() == []
    _record(4)
    assert audit_chain_verify() == []


def test_an_altered_row_is_named():
    events = _record(4)
    AuditEvent.objects.filter(pk=events[1].pk).update(target_label="someone-else")
    problems = audit_chain_verify()
    assert [(p.event_id, p.kind) for p in problems] == [(events[1].pk, "altered")]
    assert f"#{events[1].pk}" in problems[0].detail


def test_an_altered_time_is_detected():
    events = _record(2)
    AuditEvent.objects.filter(pk=events[0].pk).update(at=events[0].at.replace(year=2020))
    assert [p.event_id for p in audit_chain_verify()] == [events[0].pk]


def test_a_deleted_middle_row_breaks_the_next_link():
    events = _record(4)
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    problems = audit_chain_verify()
    assert [(p.event_id, p.kind) for p in problems] == [(events[2].pk, "link")]
    assert f"#{events[0].pk}" in problems[0].detail and f"#{events[2].pk}" in problems[0].detail


def test_a_deleted_first_row_breaks_the_link_from_genesis():
    events = _record(3)
    AuditEvent.objects.filter(pk=events[0].pk).delete()
    assert [(p.event_id, p.kind) for p in audit_chain_verify()] == [(events[1].pk, "link")]


def test_rows_cut_off_the_end_are_detected():
    events = _record(3)
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    problems = audit_chain_verify()
    assert [(p.event_id, p.kind) for p in problems] == [(events[1].pk, "tail")]
    assert f"#{events[2].pk}" in problems[0].detail


def test_a_rewritten_row_with_a_recomputed_hash_still_breaks_the_next_link():
    events = _record(3)
    AuditEvent.objects.filter(pk=events[1].pk).update(target_label="forged")
    row = AuditEvent.objects.filter(pk=events[1].pk).values_list(*CONTENT_FIELDS).get()
    AuditEvent.objects.filter(pk=events[1].pk).update(
        hash=event_digest(settings.ZHIJIAO_AUDIT_KEY, events[1].prev_hash, row)
    )
    assert [(p.event_id, p.kind) for p in audit_chain_verify()] == [(events[2].pk, "link")]


def test_a_missing_head_is_reported():
    _record(1)
    AuditChainHead.objects.all().delete()
    assert [p.kind for p in audit_chain_verify()] == ["tail"]


@pytest.mark.slow  # 20,000 chained rows and a time limit: a benchmark in the suite
def test_verification_streams_many_rows_quickly():
    events = _record(1)
    head = events[0]
    # 20 000 rows chained in bulk (audit_record costs five queries each; this is about the verifier)
    prev = head.hash
    rows = []
    base = head.at
    for i in range(1, 20_001):
        pk = head.pk + i
        row = (base, None, "", "auth.login", "account", str(i), f"u{i}", [], "127.0.0.1", "", "cli", pk)
        digest = event_digest(settings.ZHIJIAO_AUDIT_KEY, prev, row)
        rows.append(
            AuditEvent(
                id=pk,
                at=base,
                action="auth.login",
                target_type="account",
                target_id=str(i),
                target_label=f"u{i}",
                fields=[],
                ip="127.0.0.1",
                channel="cli",
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    AuditEvent.objects.filter(pk__gt=head.pk).update(at=base)  # auto_now_add overrode the time on insert
    AuditChainHead.objects.filter(pk=1).update(last_id=head.pk + 20_000, last_hash=prev)
    started = time.perf_counter()
    assert audit_chain_verify() == []
    assert time.perf_counter() - started < 5

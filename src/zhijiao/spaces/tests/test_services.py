from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.models import OutboxMessage
from zhijiao.spaces import fanout, selectors, services
from zhijiao.spaces.models import NoticeReceipt, NoticeStatus


def _send(region, who, kind, node, recipients="guardians", **extra):
    return services.notice_send(
        actor=region.accounts[who],
        title="通知",
        body="内容",
        audience_kind=kind,
        node_id=node,
        recipients=recipients,
        **extra,
    )


def _recipients(notice) -> set[str]:
    return set(NoticeReceipt.objects.filter(notice=notice).values_list("account__username", flat=True))


# ------------------------------------------------------------------ audience resolution
def test_class_guardians(region, class_notice):
    assert class_notice.status == NoticeStatus.PUBLISHED
    assert _recipients(class_notice) == {"parent"}  # s1's mother; s2 has no guardian account
    assert class_notice.recipient_count == class_notice.delivered_count == 1


def test_class_students_and_staff(region):
    assert _recipients(_send(region, "teacher", "class", region.classes["A1"].pk, "students")) == {"student"}
    # the staff of a class: who teaches it this term (teacher) — the 班主任 of A2 is not A1's
    assert _recipients(_send(region, "teacher", "class", region.classes["A1"].pk, "staff")) == {"teacher"}


def test_school_staff(region):
    notice = _send(region, "principal", "school", region.schools["A"].pk, "staff")
    assert _recipients(notice) == {"teacher", "head", "principal"}


def test_division_guardians_once_each(region):
    # the parent has children in A1 and B1, both in 东西湖区: one receipt
    notice = _send(region, "bureau", "division", "420112")
    assert _recipients(notice) == {"parent"}


def test_grade_guardians(region):
    notice = _send(region, "principal", "grade", region.classes["A1"].grade_id)
    assert _recipients(notice) == {"parent"}


def test_left_pupils_guardians_not_addressed(region):
    region.students["s1"].status = "02"
    region.students["s1"].save()
    assert _recipients(_send(region, "teacher", "class", region.classes["A1"].pk)) == set()


# ------------------------------------------------------------------ who may send
@pytest.mark.parametrize(
    "who, kind, node_key",
    [
        ("teacher", "class", "B1"),  # another school's class
        ("teacher", "class", "A2"),  # a class of the own school the teacher does not teach
        ("teacher", "school", "A"),  # a teacher is no school administrator
        ("principal", "class", "C1"),
        ("bureau", "class", "C1"),  # 江岸区 is not the bureau's
        ("parent", "class", "A1"),
        ("student", "class", "A1"),
        ("inspector", "school", "A"),
    ],
)
def test_refused_senders(region, who, kind, node_key):
    node = region.classes[node_key].pk if kind == "class" else region.schools[node_key].pk
    with pytest.raises(Forbidden):
        _send(region, who, kind, node)


def test_allowed_senders(region):
    assert _send(region, "head", "class", region.classes["A2"].pk).pk  # 班主任
    assert _send(region, "principal", "class", region.classes["A2"].pk).pk
    assert _send(region, "bureau", "school", region.schools["B"].pk).pk
    assert _send(region, "city", "division", "420102").pk  # 武汉市 over 江岸区
    assert _send(region, "admin", "division", "42").pk
    with pytest.raises(Forbidden):
        _send(region, "bureau", "division", "4201")  # above the bureau's own division


def test_bad_input(region):
    with pytest.raises(ZhijiaoError):
        _send(region, "teacher", "planet", 1)
    with pytest.raises(ZhijiaoError):
        _send(region, "teacher", "class", 999999)
    with pytest.raises(ZhijiaoError):
        services.notice_send(
            actor=region.accounts["teacher"],
            title=" ",
            body="x",
            audience_kind="class",
            node_id=region.classes["A1"].pk,
        )


# ------------------------------------------------------------------ reading, 回执, visibility
def test_read_is_idempotent(region, class_notice):
    parent = region.accounts["parent"]
    first = services.receipt_read(actor=parent, notice_id=class_notice.pk).read_at
    assert first is not None
    again = services.receipt_read(actor=parent, notice_id=class_notice.pk).read_at
    assert again == first


def test_not_addressed_is_not_found(region, class_notice):
    for who in ("teacher", "student", "nobody"):
        with pytest.raises(NotFound):
            services.receipt_read(actor=region.accounts[who], notice_id=class_notice.pk)


def test_confirm(region, class_notice):
    parent = region.accounts["parent"]
    r = services.receipt_confirm(actor=parent, notice_id=class_notice.pk, reply="已知晓")
    assert r.read_at and r.confirmed_at and r.reply == "已知晓"
    other = _send(region, "teacher", "class", region.classes["A1"].pk)
    with pytest.raises(ZhijiaoError):
        services.receipt_confirm(actor=parent, notice_id=other.pk)


def test_confirm_after_deadline(region):
    notice = _send(
        region,
        "teacher",
        "class",
        region.classes["A1"].pk,
        needs_confirm=True,
        deadline=timezone.now() - timedelta(hours=1),
    )
    with pytest.raises(ZhijiaoError):
        services.receipt_confirm(actor=region.accounts["parent"], notice_id=notice.pk)


def test_withdrawn_disappears(region, class_notice):
    services.notice_withdraw(actor=region.accounts["teacher"], notice_id=class_notice.pk)
    assert not selectors.receipt_inbox(actor=region.accounts["parent"]).exists()
    with pytest.raises(NotFound):
        services.receipt_read(actor=region.accounts["parent"], notice_id=class_notice.pk)


def test_read_rate_only_for_sender_and_admins_over_node(region, class_notice):
    for who in ("teacher", "principal", "bureau", "city", "admin"):
        rate = selectors.notice_read_rate(actor=region.accounts[who], notice=class_notice)
        assert (rate.total, rate.read) == (1, 0)
    for who in ("parent", "head", "student", "inspector", "nobody"):
        with pytest.raises(NotFound):
            selectors.notice_get(actor=region.accounts[who], notice_id=class_notice.pk)


def test_unread_names_masked(region, class_notice):
    rows = selectors.notice_unread(actor=region.accounts["teacher"], notice=class_notice)
    assert [r.name for r in rows] == ["陈**"]


def test_remind_through_channels(region, class_notice, settings):
    settings.ZHIJIAO_NOTICE_CHANNELS = ["inapp", "sms", "email"]
    parent = region.accounts["parent"]
    parent.mobile = "13800001111"
    parent.save()
    reached = services.notice_remind(actor=region.accounts["teacher"], notice_id=class_notice.pk)
    assert reached == {"站内": 1, "短信": 1, "邮件": 0}
    assert OutboxMessage.objects.get(channel="sms").address == "13800001111"
    assert NoticeReceipt.objects.get(notice=class_notice).reminder_count == 1
    with pytest.raises(NotFound):
        services.notice_remind(actor=region.accounts["parent"], notice_id=class_notice.pk)


def test_large_audience_by_job(region, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "INLINE_LIMIT", 0)
    monkeypatch.setattr(HUEY, "immediate", True)
    with django_capture_on_commit_callbacks(execute=True):
        notice = _send(region, "principal", "school", region.schools["A"].pk, "staff")
        assert notice.delivered_count == 0  # not yet: the job runs after commit
    notice.refresh_from_db()
    assert notice.delivered_count == notice.recipient_count == 3


def test_fanout_rerun_is_idempotent(region, class_notice):
    assert fanout.receipts_write(class_notice.pk) == 0
    class_notice.refresh_from_db()
    assert class_notice.delivered_count == 1

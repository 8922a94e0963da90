"""请假: a guardian applies for their own child, only the class's 班主任 decides, the class's teachers see it in the
attendance view, the pupil sees their own; audited; bad input answered in Chinese with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.people.services import guardianship_add
from zhijiao.spaces.leave import selectors, services
from zhijiao.spaces.leave.models import LeaveRequest, LeaveStatus
from zhijiao.testing import login_as

ORIGIN = Origin(channel="cli")


@pytest.fixture
def family(region):
    """陈妈妈 is also the guardian of s3, in A2 (whose 班主任 is ``head``)."""
    guardianship_add(
        actor=None, guardian=region.persons["parent"], student=region.students["s3"], relation="母亲", primary=True
    )
    return region


def _apply(region, **kw):
    fields = {
        "student_id": region.students["s3"].pk,
        "kind": "sick",
        "start": timezone.localdate(),
        "end": None,
        "part": "full",
        "reason": "发烧 38.5℃",
        "origin": ORIGIN,
    }
    fields.update(kw)
    return services.leave_apply(actor=region.accounts["parent"], **fields)


def test_apply_decide_and_attendance(client, family):
    row = _apply(family)
    assert row.status == LeaveStatus.PENDING and row.school_class == family.classes["A2"]
    assert [r.pk for r in selectors.head_pending(actor=family.accounts["head"])] == [row.pk]
    services.leave_decide(actor=family.accounts["head"], leave_id=row.pk, approve=True, origin=ORIGIN)
    row.refresh_from_db()
    assert row.status == LeaveStatus.APPROVED and row.decided_by == family.accounts["head"]
    actions = set(AuditEvent.objects.filter(target_type="leave_request").values_list("action", flat=True))
    assert actions == {"leave.apply", "leave.approve"}
    att = selectors.class_attendance(actor=family.accounts["head"], class_id=family.classes["A2"].pk,
                                     day=timezone.localdate())  # fmt: skip
    assert [r.pk for r in att.absent] == [row.pk] and att.term_days == 1.0
    tomorrow = timezone.localdate() + timedelta(days=1)
    att = selectors.class_attendance(actor=family.accounts["head"], class_id=family.classes["A2"].pk, day=tomorrow)
    assert att.absent == []


def test_only_the_head_decides(family):
    row = _apply(family)
    with pytest.raises(NotFound):  # the teacher of A1 does not even see A2's leave
        services.leave_decide(actor=family.accounts["teacher"], leave_id=row.pk, approve=True, origin=ORIGIN)
    with pytest.raises(Forbidden):  # the guardian sees it, but may not approve it
        services.leave_decide(actor=family.accounts["parent"], leave_id=row.pk, approve=True, origin=ORIGIN)
    with pytest.raises(ZhijiaoError, match="不批准时请写明原因"):
        services.leave_decide(actor=family.accounts["head"], leave_id=row.pk, approve=False, origin=ORIGIN)
    services.leave_decide(actor=family.accounts["head"], leave_id=row.pk, approve=False, note="请到校说明",
                          origin=ORIGIN)  # fmt: skip
    row.refresh_from_db()
    assert row.status == LeaveStatus.REFUSED and row.decision_note == "请到校说明"
    with pytest.raises(ZhijiaoError, match="已处理"):
        services.leave_decide(actor=family.accounts["head"], leave_id=row.pk, approve=True, origin=ORIGIN)


def test_only_own_child_and_bad_input(family):
    with pytest.raises(Forbidden):
        services.leave_apply(actor=family.accounts["teacher"], student_id=family.students["s3"].pk, kind="sick",
                             start=timezone.localdate(), end=None, reason="x", origin=ORIGIN)  # fmt: skip
    with pytest.raises(Forbidden):
        _apply(family, student_id=family.students["s2"].pk)  # not her child
    today = timezone.localdate()
    cases = [
        ({"kind": "x"}, "请假类型"),
        ({"reason": "  "}, "请填写请假事由"),
        ({"end": today - timedelta(days=1)}, "结束日期不能早于开始日期"),
        ({"part": "am", "end": today + timedelta(days=1)}, "半天假只能请一天"),
        ({"end": today + timedelta(days=40)}, "不能超过 30 天"),
        ({"start": today - timedelta(days=30)}, "7 天以内"),
        ({"student_id": family.students["s1"].pk}, "尚未设置班主任"),  # A1 has no 班主任
    ]
    for fields, message in cases:
        with pytest.raises(ZhijiaoError, match=message):
            _apply(family, **fields)
    assert LeaveRequest.objects.count() == 0
    _apply(family)
    with pytest.raises(ZhijiaoError, match="已有待审批"):
        _apply(family, part="pm")
    assert LeaveRequest.objects.count() == 1


def test_pages_by_role(client, family):
    login_as(client, "parent")
    page = client.get("/space/leave/").content.decode()
    assert "为孩子请假" in page and "待我审批" not in page
    r = client.post("/space/leave/", {"student": family.students["s3"].pk, "kind": "personal", "part": "am",
                                      "start": timezone.localdate().isoformat(), "reason": "看牙医"})  # fmt: skip
    assert r.status_code == 302
    bad = client.post("/space/leave/", {"student": family.students["s3"].pk, "kind": "sick", "part": "full",
                                        "start": "", "reason": "x"})  # fmt: skip
    assert bad.status_code == 400 and "开始日期：请填写请假日期" in bad.content.decode()
    row = LeaveRequest.objects.get()
    assert "看牙医" in client.get("/space/leave/").content.decode()
    assert client.post(f"/space/leave/{row.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert client.get(f"/space/leave/class/{family.classes['A2'].pk}/").status_code == 404

    login_as(client, "head")
    page = client.get("/space/leave/").content.decode()
    assert "待我审批" in page and "看牙医" in page and "批准" in page
    assert client.post(f"/space/leave/{row.pk}/decide/", {"decision": "approve"}).status_code == 302
    row.refresh_from_db()
    assert row.status == LeaveStatus.APPROVED
    att = client.get(f"/space/leave/class/{family.classes['A2'].pk}/").content.decode()
    assert "事假" in att and "上午" in att and "本学期请假记录" in att

    login_as(client, "teacher")  # teaches A1 only
    assert client.get(f"/space/leave/class/{family.classes['A2'].pk}/").status_code == 404
    assert client.post(f"/space/leave/{row.pk}/decide/", {"decision": "refuse", "note": "x"}).status_code == 404


def test_pupil_sees_own(client, family):
    other = _apply(family)  # s3's
    own = LeaveRequest.objects.create(  # s1's, written directly: A1 has no 班主任 to approve it
        student=family.students["s1"], school_class=family.classes["A1"], applicant=family.accounts["parent"],
        kind="sick", start_date=timezone.localdate(), end_date=timezone.localdate(), reason="咳嗽",
        status=LeaveStatus.APPROVED,
    )  # fmt: skip
    login_as(client, "student")  # s1
    page = client.get("/space/leave/").content.decode()
    assert "我的请假" in page and "咳嗽" in page and "发烧" not in page and "为孩子请假" not in page
    assert [r.pk for r in selectors.pupil_list(actor=family.accounts["student"])] == [own.pk]
    with pytest.raises(NotFound):
        selectors.leave_get(actor=family.accounts["student"], leave_id=other.pk)


def test_cancel(client, family):
    row = _apply(family)
    login_as(client, "parent")
    assert client.post(f"/space/leave/{row.pk}/cancel/").status_code == 302
    row.refresh_from_db()
    assert row.status == LeaveStatus.CANCELLED
    assert selectors.head_pending(actor=family.accounts["head"]).count() == 0

"""The whole 综合素质评价 term process end to end, and the access rules on the way.

records → selection → publicity with an objection → answer → audit → lock → graduation export, then a transfer:
the archive follows the pupil to the new school.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.growth import services
from zhijiao.growth.archive import archive_get
from zhijiao.growth.models import GrowthRecord, GrowthVersion, ObjectionStatus, RecordStatus, ReviewState
from zhijiao.growth.process import working_days_after
from zhijiao.growth.selectors import class_review_get, portrait_get
from zhijiao.people.services import student_transfer

WEB = Origin(channel="web")
MON = dt.date(2026, 11, 2)  # a Monday, in the test region's current term


def _rec(dim="c1", title="升旗仪式护旗手", day="2026-10-12", **kw) -> services.RecordInput:
    return services.RecordInput(dimension=dim, title=title, occurred_on=day, **kw)


def test_working_days_skip_weekends():
    assert working_days_after(MON, 5) == dt.date(2026, 11, 6)  # Mon..Fri
    assert working_days_after(dt.date(2026, 11, 5), 5) == dt.date(2026, 11, 11)  # Thu → next Wed
    assert working_days_after(dt.date(2026, 11, 7), 1) == dt.date(2026, 11, 9)  # Saturday starts on Monday


@pytest.mark.django_db
def test_term_process_end_to_end(term_region):
    r = term_region
    a = r.accounts
    s1, s2 = r.students["s1"], r.students["s2"]
    a1 = r.classes["A1"]
    # 写实记录: the 班主任 records one activity for the whole class; the pupil and the guardian add their own
    class_records = services.class_activity_record(
        actor=a["teacher"], school_class=a1, student_ids=[s1.pk, s2.pk],
        data=_rec("c5", "秋季校园植树", place="学校后山", hours="2", vouched_by="王老师"), origin=WEB,
    )  # fmt: skip
    assert len(class_records) == 2 and {x.author_role for x in class_records} == {"head_teacher"}
    own = services.record_create(actor=a["student"], student=s1, data=_rec("c2", "数学竞赛三等奖"), origin=WEB)
    home = services.record_create(actor=a["parent"], student=s1, data=_rec("c5", "每周洗碗", hours="3"), origin=WEB)
    assert own.author_role == "student" and home.author_role == "guardian"
    with pytest.raises(ZhijiaoError, match="家长只能记录"):
        services.record_create(actor=a["parent"], student=s1, data=_rec("c1", "家里表现"), origin=WEB)
    s2_rec = services.record_create(actor=a["teacher"], student=s2, data=_rec("c1", "主动帮助同学"), origin=WEB)

    # before publication a classmate's guardian sees nothing of s2, the pupil sees only their own records
    with pytest.raises(NotFound):
        portrait_get(actor=a["parent"], student_id=s2.pk)
    with pytest.raises(NotFound):
        portrait_get(actor=a["student"], student_id=s2.pk)
    mine = portrait_get(actor=a["student"], student_id=s1.pk)
    assert {x.pk for b in mine.dimensions for x in b.records} == {own.pk, home.pk, class_records[0].pk}

    review = services.review_open(actor=a["teacher"], school_class=a1, origin=WEB, select_limit=1)
    # no step can be skipped: no audit, archive or objection before publicity
    with pytest.raises(ZhijiaoError, match="流程不能跳过"):
        services.review_audit(actor=a["principal"], review=review, origin=WEB)
    with pytest.raises(ZhijiaoError, match="流程不能跳过"):
        services.review_archive(actor=a["principal"], review=review, origin=WEB)

    # 遴选: at most select_limit per dimension; only one's own records
    with pytest.raises(ZhijiaoError, match="遴选上限"):
        services.selection_set(
            actor=a["student"], review=review, student=s1, record_ids=[class_records[0].pk, home.pk], origin=WEB
        )
    with pytest.raises(ZhijiaoError, match="本人本学期"):
        services.selection_set(actor=a["student"], review=review, student=s1, record_ids=[s2_rec.pk], origin=WEB)
    services.selection_set(
        actor=a["student"], review=review, student=s1, record_ids=[own.pk, class_records[0].pk], origin=WEB
    )
    services.selection_set(
        actor=a["teacher"], review=review, student=s2, record_ids=[s2_rec.pk, class_records[1].pk], origin=WEB
    )
    for pupil in (s1, s2):
        for dim in ("c1", "c2", "c3", "c4", "c5"):
            services.level_set(actor=a["teacher"], review=review, student=pupil, dimension=dim, level="B", origin=WEB)
    services.statement_set(
        actor=a["student"], review=review, student=s1, kind="self", text="这学期我学会了坚持。", origin=WEB
    )
    with pytest.raises(NotFound):  # a pupil writes no teacher's comment
        services.statement_set(actor=a["student"], review=review, student=s1, kind="teacher", text="好", origin=WEB)

    # 公示 by the 班主任, five working days from Monday
    services.review_publish(actor=a["teacher"], review=review, origin=WEB, today=MON)
    review.refresh_from_db()
    assert review.state == ReviewState.PUBLISHED and review.publicity_ends_on == dt.date(2026, 11, 6)
    with pytest.raises(ZhijiaoError, match="只有在遴选阶段"):
        services.selection_set(actor=a["student"], review=review, student=s1, record_ids=[own.pk], origin=WEB)

    # a classmate's guardian (陈妈妈, s1's mother) sees s2's published selections and nothing unpublished
    seen = portrait_get(actor=a["parent"], student_id=s2.pk, today=MON)
    assert {x.pk for b in seen.dimensions for x in b.records} == {s2_rec.pk, class_records[1].pk}
    assert seen.fitness == [] and not seen.full
    unpublished = services.record_create(actor=a["teacher"], student=s2, data=_rec("c3", "跳绳比赛"), origin=WEB)
    seen = portrait_get(actor=a["parent"], student_id=s2.pk, today=MON)
    assert unpublished.pk not in {x.pk for b in seen.dimensions for x in b.records}
    page = class_review_get(actor=a["parent"], class_id=a1.pk, today=MON)
    assert page.may_object and all("*" in row["name"] for row in page.pupils)
    # a teacher of another class sees nothing of it
    with pytest.raises(NotFound):
        class_review_get(actor=a["teacher_b"] if "teacher_b" in a else a["nobody"], class_id=a1.pk, today=MON)
    with pytest.raises(NotFound):
        portrait_get(actor=a["nobody"], student_id=s2.pk, today=MON)

    # 异议 from the classmate's guardian; the school answers: upheld, the record is corrected
    objection = services.objection_raise(
        actor=a["parent"], review=review, record=s2_rec, reason="日期写错了，是10月13日", origin=WEB, today=MON
    )
    with pytest.raises(ZhijiaoError, match="未答复的异议"):
        services.review_audit(actor=a["principal"], review=review, origin=WEB, today=dt.date(2026, 11, 9))
    services.objection_answer(
        actor=a["teacher"], objection=objection, upheld=True, answer="已核实并更正日期", origin=WEB,
        outcome="corrected", correction=_rec("c1", "主动帮助同学", "2026-10-13"),
    )  # fmt: skip
    objection.refresh_from_db()
    s2_rec.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD and s2_rec.occurred_on == dt.date(2026, 10, 13)
    assert s2_rec.version == 2 and GrowthVersion.objects.filter(entity="record", entity_id=s2_rec.pk).count() == 2
    # a second objection, rejected with a reason
    second = services.objection_raise(
        actor=a["parent"], review=review, record=class_records[1], reason="没见过", origin=WEB, today=MON
    )
    services.objection_answer(actor=a["principal"], objection=second, upheld=False, answer="有照片为证", origin=WEB)
    # after the period no one may object
    with pytest.raises(ZhijiaoError, match="公示期已结束"):
        services.objection_raise(
            actor=a["parent"], review=review, record=s2_rec, reason="x", origin=WEB, today=dt.date(2026, 11, 9)
        )

    # 审核: not while the publicity runs, not by the publisher, only when levels and comments are complete
    with pytest.raises(ZhijiaoError, match="公示期尚未结束"):
        services.review_audit(actor=a["principal"], review=review, origin=WEB, today=dt.date(2026, 11, 6))
    with pytest.raises(Forbidden):
        services.review_audit(actor=a["teacher"], review=review, origin=WEB, today=dt.date(2026, 11, 9))
    with pytest.raises(ZhijiaoError, match="等级或教师评语"):
        services.review_audit(actor=a["principal"], review=review, origin=WEB, today=dt.date(2026, 11, 9))
    for pupil in (s1, s2):
        services.statement_set(
            actor=a["teacher"], review=review, student=pupil, kind="teacher", text="认真踏实，乐于助人。", origin=WEB
        )
    services.review_audit(actor=a["principal"], review=review, origin=WEB, today=dt.date(2026, 11, 9), note="通过")
    with pytest.raises(ZhijiaoError, match="审核后不能再修改"):
        services.level_set(actor=a["teacher"], review=review, student=s1, dimension="c1", level="A", origin=WEB)
    # after the period a classmate's guardian no longer sees s2
    with pytest.raises(NotFound):
        portrait_get(actor=a["parent"], student_id=s2.pk, today=dt.date(2026, 11, 9))
    with pytest.raises(ZhijiaoError, match="还有未归档"):
        services.graduation_freeze(actor=a["principal"], student=s1, origin=WEB)
    services.review_archive(actor=a["principal"], review=review, origin=WEB)
    review.refresh_from_db()
    assert review.state == ReviewState.ARCHIVED

    # graduation: freeze and export; the records are locked from then on
    with pytest.raises(Forbidden):
        services.graduation_freeze(actor=a["teacher"], student=s1, origin=WEB)
    archive = services.graduation_freeze(actor=a["principal"], student=s1, origin=WEB)
    assert {x["title"] for x in archive.data["records"]} >= {"数学竞赛三等奖", "每周洗碗", "秋季校园植树"}
    assert archive.data["terms"][0]["levels"]["品德发展"] == "B"
    assert archive.data["terms"][0]["self_statement"] == "这学期我学会了坚持。"
    pdf, _name, kind = services.archive_export(actor=a["principal"], archive=archive, kind="pdf", origin=WEB)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF") and kind == "application/pdf"
    assert "秋季校园植树".encode("utf-16-be").hex().upper().encode() in pdf  # the text is in the page, as UCS-2
    body, _, _ = services.archive_export(actor=a["principal"], archive=archive, kind="json", origin=WEB)
    assert json.loads(body)["sha256"] == archive.sha256 and s1.student_no not in body.decode()
    sheet, _, _ = services.archive_export(actor=a["principal"], archive=archive, kind="xlsx", origin=WEB)
    assert sheet[:2] == b"PK"
    with pytest.raises(ZhijiaoError, match="封存"):
        services.record_create(actor=a["student"], student=s1, data=_rec("c4", "合唱"), origin=WEB)

    # transfer within the region: the new school sees the archive, the old one no longer does
    student_transfer(actor=None, student=s1, to_class=r.classes["C1"], on=dt.date(2026, 12, 1))
    moved = r.accounts.get("principal_c")
    if moved is not None:  # the matrix region has one; the test region: the bureau above stands for the new school
        assert archive_get(actor=moved, student_id=s1.pk).pk == archive.pk
    assert archive_get(actor=a["city"], student_id=s1.pk).pk == archive.pk
    with pytest.raises(NotFound):
        archive_get(actor=a["principal"], student_id=s1.pk)
    with pytest.raises(NotFound):
        portrait_get(actor=a["teacher"], student_id=s1.pk)

    actions = set(AuditEvent.objects.filter(action__startswith="growth.").values_list("action", flat=True))
    assert {
        "growth.record_class_create", "growth.record_create", "growth.review_open", "growth.selection_set",
        "growth.level_set", "growth.statement_set", "growth.review_publish", "growth.objection_raise",
        "growth.objection_uphold", "growth.objection_reject", "growth.review_audit", "growth.review_archive",
        "growth.archive_freeze", "growth.archive_export",
    } <= actions  # fmt: skip


@pytest.mark.django_db
def test_upheld_objection_can_withdraw_a_record(term_region):
    r = term_region
    a = r.accounts
    s2 = r.students["s2"]
    rec = services.record_create(actor=a["teacher"], student=s2, data=_rec("c4", "绘画展"), origin=WEB)
    review = services.review_open(actor=a["teacher"], school_class=r.classes["A1"], origin=WEB)
    services.selection_set(actor=a["teacher"], review=review, student=s2, record_ids=[rec.pk], origin=WEB)
    services.review_publish(actor=a["teacher"], review=review, origin=WEB, today=MON)
    with pytest.raises(ZhijiaoError, match="公示或归档"):
        services.record_withdraw(actor=a["teacher"], record=rec, origin=WEB)
    objection = services.objection_raise(
        actor=a["teacher"], review=review, record=rec, reason="不是本学期的活动", origin=WEB, today=MON
    )
    with pytest.raises(ZhijiaoError, match="请选择更正记录或撤销记录"):
        services.objection_answer(actor=a["principal"], objection=objection, upheld=True, answer="属实", origin=WEB)
    services.objection_answer(
        actor=a["principal"], objection=objection, upheld=True, answer="属实，撤销", outcome="withdrawn", origin=WEB
    )
    rec.refresh_from_db()
    assert rec.status == RecordStatus.WITHDRAWN and not rec.selections.exists()
    with pytest.raises(ZhijiaoError, match="已答复"):
        services.objection_answer(actor=a["principal"], objection=objection, upheld=False, answer="x", origin=WEB)
    # the parent of a classmate no longer sees it
    seen = portrait_get(actor=a["parent"], student_id=s2.pk, today=MON)
    assert not [x for b in seen.dimensions for x in b.records]
    assert GrowthRecord.objects.filter(pk=rec.pk, status="withdrawn").exists()

"""Homework and exams (作业、考试): publish, answer online, auto-marking on submit, teacher marking, close, the
marking-export import, the push loop, and who may do what. Times are fixed (never the wall clock)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.learning import homework, marks_import, push
from zhijiao.learning import homework_selectors as hs
from zhijiao.learning.models import (
    Answer,
    Assignment,
    AssignmentMode,
    AssignmentStatus,
    AssignmentTier,
    Mastery,
    Submission,
    SubmissionStatus,
)
from zhijiao.learning.paper_services import paper_add_item, paper_create, paper_set_status
from zhijiao.learning.signals import marks_changed
from zhijiao.learning.tests.conftest import ORIGIN, approve, make_item, math_point

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, a school day
RUBRIC = [("思路", Decimal(3), ""), ("计算", Decimal(2), "")]


@pytest.fixture
def acc(region):
    return region.accounts


@pytest.fixture
def paper(acc):
    """A READY 初中数学 paper with one item of every type: 单选 3, 多选 4, 判断 2, 填空 4 (two blanks), 解答 5."""
    teacher, principal = acc["teacher"], acc["principal"]
    point = math_point()
    items = [
        make_item(teacher, knowledge_points=[point], difficulty=2),
        make_item(teacher, type="multiple", stem="下列是偶数的是", options=["2", "3", "4", "5"], answer=["A", "C"],
                  points="4"),
        make_item(teacher, type="true_false", stem="$\\sqrt{4}=2$", options=[], answer=["T"], points="2"),
        make_item(teacher, type="blank", stem="$1+1=$____，$2+2=$____", options=[], answer=[["2"], ["4", "四"]],
                  points="4"),
        make_item(teacher, type="open", stem="解方程 $x^2=4$", options=[], answer=[], points="5",
                  reference_answer="$x=\\pm 2$", rubric=RUBRIC),
    ]  # fmt: skip
    p = paper_create(actor=teacher, title="第一单元作业", stage="3", subject="14", grade="", origin=ORIGIN)
    for it in items:
        paper_add_item(actor=teacher, paper=p, item_id=approve(it, principal).pk, origin=ORIGIN)
    paper_set_status(actor=teacher, paper=p, ready=True, origin=ORIGIN)
    return p


def spec(**extra) -> homework.AssignSpec:
    base = dict(title="第一单元作业", opens_at=T0, due_at=T0 + timedelta(days=2))
    base.update(extra)
    return homework.AssignSpec(**base)


def publish(acc, region, paper, **extra) -> Assignment:
    return homework.assignment_publish(
        actor=acc["teacher"], paper_id=paper.pk, class_ids=[region.classes["A1"].pk], spec=spec(**extra), origin=ORIGIN
    )


@pytest.fixture
def sent():
    got: list[int] = []

    def receiver(sender, assignment_id, **kw):
        got.append(assignment_id)

    marks_changed.connect(receiver)
    yield got
    marks_changed.disconnect(receiver)


def entries_by_type(a: Assignment) -> dict[str, int]:
    return {e.version.type: e.pk for e in a.paper.entries.select_related("version")}


def test_publish_answer_submit_and_mark_every_type(acc, region, paper, sent, django_capture_on_commit_callbacks):
    a = publish(acc, region, paper)
    subs = list(Submission.objects.filter(assignment=a))
    assert {s.student_id for s in subs} == {region.students["s1"].pk, region.students["s2"].pk}
    assert all(s.max_score == 18 and s.status == SubmissionStatus.ASSIGNED for s in subs)
    assert AuditEvent.objects.filter(action="homework.publish").count() == 1

    pupil = acc["student"]
    mine = hs.pupil_submissions(actor=pupil)
    assert [s.assignment_id for s in mine] == [a.pk]
    sub = mine[0]
    e = entries_by_type(a)
    # saved as they go: a first save, then a second (a reload shows both)
    homework.answer_save(actor=pupil, submission_id=sub.pk, responses={e["single"]: "A", e["multiple"]: ["A"]},
                         now=T0 + timedelta(hours=1))  # fmt: skip
    homework.answer_save(
        actor=pupil,
        submission_id=sub.pk,
        responses={e["true_false"]: "T", e["blank"]: ["2", "５"], e["open"]: "x=2 或 x=-2"},
        now=T0 + timedelta(hours=2),
    )
    assert set(hs.answers_of(sub)) == set(e.values())
    assert Submission.objects.get(pk=sub.pk).status == SubmissionStatus.STARTED
    with django_capture_on_commit_callbacks(execute=True):
        homework.submission_submit(actor=pupil, submission_id=sub.pk, origin=ORIGIN, now=T0 + timedelta(hours=3))
    assert sent == [a.pk]
    scores = {
        x.entry.version.type: x.score for x in Answer.objects.filter(submission=sub).select_related("entry__version")
    }
    # 单选 right 3; 多选 少选 half of 4 = 2; 判断 right 2; 填空 one of two blanks = 2; 解答 waits for the teacher
    assert scores == {"single": 3, "multiple": 2, "true_false": 2, "blank": 2, "open": None}
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.SUBMITTED and sub.score is None
    with pytest.raises(ZhijiaoError, match="不能再修改"):  # handed in: no more changes
        homework.answer_save(
            actor=pupil, submission_id=sub.pk, responses={e["single"]: "B"}, now=T0 + timedelta(hours=4)
        )

    teacher = acc["teacher"]
    queue = hs.marking_answers(actor=teacher, assignment=a, entry_id=e["open"])
    assert [x.submission_id for x in queue] == [sub.pk]  # s2 handed in nothing: not in the queue
    with pytest.raises(ZhijiaoError, match="计算"):
        homework.answer_mark(actor=teacher, answer_id=queue[0].pk, marks={"思路": 3, "计算": 5}, comment="",
                             origin=ORIGIN)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        homework.answer_mark(actor=teacher, answer_id=queue[0].pk, marks={"思路": 3, "计算": 1.5}, comment="很好",
                             origin=ORIGIN, now=T0 + timedelta(hours=5))  # fmt: skip
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.MARKED and sub.score == Decimal("13.5")
    assert sent == [a.pk, a.pk]
    # overriding a machine mark is allowed and audited as an override
    multi = Answer.objects.get(submission=sub, entry_id=e["multiple"])
    homework.answer_mark(actor=teacher, answer_id=multi.pk, marks={"总分": 3}, comment="", origin=ORIGIN)
    sub.refresh_from_db()
    assert sub.score == Decimal("14.5")
    assert AuditEvent.objects.filter(action="homework.override").count() == 1


def test_after_the_due_date_no_changes_and_close_marks_what_was_saved(acc, region, paper):
    a = publish(acc, region, paper)
    pupil = acc["student"]
    sub = hs.pupil_submissions(actor=pupil)[0]
    e = entries_by_type(a)
    with pytest.raises(ZhijiaoError, match="还没有开始"):
        homework.answer_save(actor=pupil, submission_id=sub.pk, responses={e["single"]: "A"}, now=T0 - timedelta(1))
    homework.answer_save(actor=pupil, submission_id=sub.pk, responses={e["single"]: "A"}, now=T0 + timedelta(hours=1))
    with pytest.raises(ZhijiaoError, match="截止"):
        homework.answer_save(actor=pupil, submission_id=sub.pk, responses={e["single"]: "B"}, now=T0 + timedelta(3))
    homework.assignment_close(actor=acc["teacher"], assignment_id=a.pk, origin=ORIGIN, now=T0 + timedelta(3))
    mine = Answer.objects.get(submission=sub, entry_id=e["single"])
    assert mine.response == "A" and mine.score == 3 and mine.auto
    other = Submission.objects.exclude(pk=sub.pk).get(assignment=a)
    assert other.status == SubmissionStatus.SUBMITTED  # 解答 still to mark; objective ones scored 0
    assert Answer.objects.filter(submission=other, score=0).count() == 4


def test_access_teacher_only_their_classes_pupil_only_their_own(acc, region, paper):
    with pytest.raises(ZhijiaoError) as exc:  # teacher does not teach A2
        homework.assignment_publish(actor=acc["teacher"], paper_id=paper.pk, class_ids=[region.classes["A2"].pk],
                                    spec=spec(), origin=ORIGIN)  # fmt: skip
    assert exc.value.status == 403
    a = publish(acc, region, paper)
    s2 = Submission.objects.get(assignment=a, student=region.students["s2"])
    with pytest.raises(NotFound):  # s1 opening s2's copy
        hs.own_submission(actor=acc["student"], submission_id=s2.pk)
    for who in ("parent", "head", "nobody", "inspector"):
        assert hs.pupil_submissions(actor=acc[who]) == []
        with pytest.raises(NotFound):
            hs.assignment_for_teacher(actor=acc[who], assignment_id=a.pk)
    with pytest.raises(NotFound):
        hs.answer_for_marking(
            actor=acc["head"], answer_id=Answer.objects.create(submission=s2, entry=a.paper.entries.first()).pk
        )
    # the layered publish refuses a class the teacher does not lead too
    with pytest.raises(ZhijiaoError):
        homework.layered_publish(actor=acc["teacher"], class_id=region.classes["A2"].pk, papers={}, layers={},
                                 spec=spec(), origin=ORIGIN)  # fmt: skip


def test_layered_homework_each_layer_its_pupils(acc, region, paper):
    s1, s2 = region.students["s1"], region.students["s2"]
    point = math_point()
    assert homework.default_layers(class_id=region.classes["A1"].pk, subject="14") == {
        s1.pk: AssignmentTier.BASIC,
        s2.pk: AssignmentTier.BASIC,
    }
    Mastery.objects.create(student=s2, knowledge_point=point, subject="14", estimate=0.9, uncertainty=0.1,
                           model="cdm", fitted_at=T0)  # fmt: skip
    layers = homework.default_layers(class_id=region.classes["A1"].pk, subject="14")
    assert layers[s2.pk] == AssignmentTier.EXTENSION
    made = homework.layered_publish(actor=acc["teacher"], class_id=region.classes["A1"].pk,
                                    papers={"basic": paper.pk, "extension": paper.pk}, layers=layers, spec=spec(),
                                    origin=ORIGIN)  # fmt: skip
    assert len(made) == 2 and len({m.layer_group for m in made}) == 1
    assert {m.tier: [s.student_id for s in m.submissions.all()] for m in made} == {
        "basic": [s1.pk],
        "extension": [s2.pk],
    }
    with pytest.raises(ZhijiaoError, match="没有分层"):
        homework.layered_publish(actor=acc["teacher"], class_id=region.classes["A1"].pk, papers={"basic": paper.pk},
                                 layers={s1.pk: "basic"}, spec=spec(), origin=ORIGIN)  # fmt: skip


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("gb18030")


def test_import_marking_export_bad_rows_nothing_written_then_fixed(acc, region, paper, sent,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    a = publish(acc, region, paper, kind="exam", mode=AssignmentMode.PAPER)
    s1, s2, s3 = (region.students[k].student_no for k in ("s1", "s2", "s3"))
    data = _csv(
        [
            ["期中考试 阅卷成绩"],  # a title row above the header
            ["学籍号", "姓名", "题号", "得分"],
            [s1, "张", "1", "3"],
            [s1, "张", "第2题", "2"],
            ["G000", "某", "1", "3"],  # unknown 学籍号
            [s3, "李", "1", "3"],  # s3 is in A2
            [s2, "王", "9", "1"],  # no question 9
            [s2, "王", "1", "abc"],  # not a number
            [s2, "王", "2", "5"],  # 多选 is worth 4
            [s1, "张", "1", "0"],  # duplicate of row 3
            [],
            [s2, "王", "5", "4.5"],
        ]
    )
    teacher = acc["teacher"]
    result = marks_import.marks_import(actor=teacher, assignment_id=a.pk, name="成绩.csv", data=data, origin=ORIGIN)
    assert not result.ok
    assert result.rows_in == 9 and result.accepted == 3 and result.rejected == 6 and result.skipped == 1
    assert result.accepted + result.rejected == result.rows_in
    got = {(p.row, p.field) for p in result.problems}
    assert got == {(5, "学籍号"), (6, "学籍号"), (7, "题号"), (8, "得分"), (9, "得分"), (10, "题号")}
    assert "不是已登记的学籍号" in result.problems[0].reason
    assert Answer.objects.filter(submission__assignment=a).count() == 0  # all or nothing
    assert not AuditEvent.objects.filter(action="homework.import").exists()
    # the report is the whole file with 行号 and 问题说明: fix its bad rows and import it as it is
    lines = list(csv.reader(io.StringIO(result.report.lstrip("\ufeff"))))
    assert lines[0][:3] == ["行号", "问题说明", "学籍号"]
    assert len(lines) == 10 and sum(1 for ln in lines[1:] if ln[1]) == 6
    fixed = [lines[0], *[ln for ln in lines[1:] if not ln[1]], ["99", "", s2, "王", "2", "3.5"]]
    with django_capture_on_commit_callbacks(execute=True):
        again = marks_import.marks_import(actor=teacher, assignment_id=a.pk, name="问题数据.csv",
                                          data=_csv(fixed), origin=ORIGIN)  # fmt: skip
    assert again.ok and again.marks == 4 and again.pupils == 2, again.problems
    assert sent == [a.pk]
    sub1 = Submission.objects.get(assignment=a, student=region.students["s1"])
    assert sub1.status == SubmissionStatus.SUBMITTED and sub1.source == "import"  # questions 3–5 not in the file


def test_import_wide_xlsx_marks_every_question(acc, region, paper):
    a = publish(acc, region, paper, kind="exam", mode=AssignmentMode.PAPER)
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["学籍号", "姓名", "第1题", "第2题", "第3题", "第4题", "第5题", "总分"])
    ws.append([region.students["s1"].student_no, "张", 3, 4, 2, 4, 5, 18])
    ws.append([region.students["s2"].student_no, "王", 0, 2, 0, 2, 1.5, 5.5])
    buf = io.BytesIO()
    book.save(buf)
    result = marks_import.marks_import(actor=acc["teacher"], assignment_id=a.pk, name="成绩.xlsx",
                                       data=buf.getvalue(), origin=ORIGIN)  # fmt: skip
    assert result.ok and result.rows_in == 2 and result.marks == 10
    totals = dict(Submission.objects.filter(assignment=a).values_list("student_id", "score"))
    assert totals == {region.students["s1"].pk: 18, region.students["s2"].pk: Decimal("5.5")}
    assert set(Submission.objects.filter(assignment=a).values_list("status", flat=True)) == {"marked"}
    with pytest.raises(ZhijiaoError, match="纸笔"):  # an online assignment takes no import
        online = publish(acc, region, paper)
        marks_import.marks_import(actor=acc["teacher"], assignment_id=online.pk, name="a.xlsx",
                                  data=buf.getvalue(), origin=ORIGIN)  # fmt: skip


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_import_bulk_write_equals_the_orm_path_then_a_correction_updates(acc, region, paper):
    """The bulk write (COPY on PostgreSQL, executemany on SQLite) leaves the rows the ORM would: every field of
    every answer, the totals; a second file corrects scores in place (no new rows) and re-totals."""
    teacher = acc["teacher"]
    a = publish(acc, region, paper, kind="exam", mode=AssignmentMode.PAPER)
    s1, s2 = region.students["s1"], region.students["s2"]
    entries = [e.pk for e in a.paper.entries.order_by("order", "pk")]
    header = ["学籍号", "姓名", "第1题", "第2题", "第3题", "第4题", "第5题"]
    first = [header, [s1.student_no, "张", 3, 4, 2, 4, 4.5], [s2.student_no, "王", 0, 2, 0, 1.5, ""]]
    t1 = T0 + timedelta(days=3)
    result = marks_import.marks_import(actor=teacher, assignment_id=a.pk, name="成绩.xlsx", data=_xlsx(first),
                                       origin=ORIGIN, now=t1)  # fmt: skip
    assert result.ok and result.marks == 9 and result.pupils == 2
    got = {
        (x.submission.student_id, x.entry_id): x
        for x in Answer.objects.filter(submission__assignment=a).select_related("submission")
    }
    want = {(s1.pk, e): Decimal(v) for e, v in zip(entries, ["3", "4", "2", "4", "4.5"], strict=True)}
    want |= {(s2.pk, e): Decimal(v) for e, v in zip(entries, ["0", "2", "0", "1.5"], strict=False)}
    assert {k: x.score for k, x in got.items()} == want
    for x in got.values():  # what Answer(submission=…, entry=…, score=…, marked_at=…, marked_by=…) would hold
        assert (x.auto, x.criteria, x.comment, x.response, x.answered_at) == (False, {}, "", None, None)
        assert x.marked_by_id == teacher.pk and x.marked_at == t1
    subs = {s.student_id: s for s in Submission.objects.filter(assignment=a)}
    assert subs[s1.pk].score == Decimal("17.5") and subs[s1.pk].status == SubmissionStatus.MARKED
    assert subs[s1.pk].marked_at == t1 and subs[s1.pk].submitted_at == t1 and subs[s1.pk].source == "import"
    assert subs[s2.pk].score is None and subs[s2.pk].status == SubmissionStatus.SUBMITTED  # question 5 missing
    # a correction: s2's question 1 and a new question 5; the rows are updated, not added
    t2 = t1 + timedelta(hours=1)
    fix = [header, [s2.student_no, "王", 2.5, "", "", "", 3]]
    again = marks_import.marks_import(actor=teacher, assignment_id=a.pk, name="更正.xlsx", data=_xlsx(fix),
                                      origin=ORIGIN, now=t2)  # fmt: skip
    assert again.ok and again.marks == 2
    assert Answer.objects.filter(submission__assignment=a).count() == 10
    fixed = Answer.objects.get(submission__assignment=a, submission__student=s2, entry_id=entries[0])
    assert fixed.score == Decimal("2.5") and fixed.marked_at == t2
    sub2 = Submission.objects.get(assignment=a, student=s2)
    assert sub2.score == Decimal("9") and sub2.status == SubmissionStatus.MARKED  # 2.5 + 2 + 0 + 1.5 + 3
    assert Submission.objects.get(assignment=a, student=s1).score == Decimal("17.5")  # untouched


def test_import_too_many_marks_is_refused_with_a_clear_message(acc, region, paper, monkeypatch):
    a = publish(acc, region, paper, kind="exam", mode=AssignmentMode.PAPER)
    monkeypatch.setattr(marks_import, "MAX_MARKS", 4)
    rows = [["学籍号", "第1题", "第2题", "第3题"], [region.students["s1"].student_no, 1, 1, 1],
            [region.students["s2"].student_no, 1, 1, 1]]  # fmt: skip
    with pytest.raises(ZhijiaoError, match="最多导入 4 个小题得分"):
        marks_import.marks_import(actor=acc["teacher"], assignment_id=a.pk, name="成绩.xlsx", data=_xlsx(rows),
                                  origin=ORIGIN)  # fmt: skip


def test_push_draft_then_one_click_publishes_with_layers(acc, region, paper):
    teacher, principal = acc["teacher"], acc["principal"]
    s1, s2 = region.students["s1"], region.students["s2"]
    point = math_point()
    for i in range(3):
        approve(make_item(teacher, stem=f"变式{i}：$x+{i}=1$", knowledge_points=[point], difficulty=1 + i), principal)
    Mastery.objects.create(student=s1, knowledge_point=point, subject="14", estimate=0.2, uncertainty=0.1,
                           model="cdm", fitted_at=T0)  # fmt: skip
    Mastery.objects.create(student=s2, knowledge_point=point, subject="14", estimate=0.9, uncertainty=0.1,
                           model="cdm", fitted_at=T0)  # fmt: skip
    class_id = region.classes["A1"].pk
    p = push.plan(actor=teacher, class_id=class_id, stage="3", subject="14")
    assert [lay.tier for lay in p.layers] == ["basic"] and p.layers[0].pupils == [s1]
    assert p.weak == {s1.pk: [point.pk], s2.pk: []}
    assert all(point.pk in c.points_ids and c.difficulty <= 2 for c in p.layers[0].items)
    drafts = push.push_draft(actor=teacher, class_id=class_id, stage="3", subject="14", origin=ORIGIN, now=T0)
    assert [d.status for d in drafts] == [AssignmentStatus.DRAFT] and drafts[0].origin == "push"
    assert not Submission.objects.filter(assignment__in=drafts).exists()
    assert hs.pupil_submissions(actor=acc["student"]) == []  # a draft is not shown to pupils
    published = homework.draft_approve(actor=teacher, layer_group=drafts[0].layer_group, origin=ORIGIN, now=T0)
    assert [a.status for a in published] == [AssignmentStatus.PUBLISHED]
    assert list(Submission.objects.filter(assignment=published[0]).values_list("student_id", flat=True)) == [s1.pk]
    assert [s.assignment_id for s in hs.pupil_submissions(actor=acc["student"])] == [published[0].pk]
    with pytest.raises(ZhijiaoError):  # nothing left to approve
        homework.draft_approve(actor=teacher, layer_group=drafts[0].layer_group, origin=ORIGIN)
    assert timezone.is_aware(published[0].opens_at)


def test_essay_waits_for_the_rubric_and_objective_override_is_audited(acc, region):
    teacher, principal = acc["teacher"], acc["principal"]
    essay = make_item(teacher, type="essay", stem="以“我的一天”为题写一篇短文", options=[], answer=[], points="10",
                      rubric=[("内容", Decimal(6), ""), ("语言", Decimal(4), "")])  # fmt: skip
    judge = make_item(teacher, type="true_false", stem="$2^3=8$", options=[], answer=["T"], points="2")
    p = paper_create(actor=teacher, title="作文练习", stage="3", subject="14", grade="", origin=ORIGIN)
    for it in (essay, judge):
        paper_add_item(actor=teacher, paper=p, item_id=approve(it, principal).pk, origin=ORIGIN)
    paper_set_status(actor=teacher, paper=p, ready=True, origin=ORIGIN)
    a = publish(acc, region, p)
    sub = hs.pupil_submissions(actor=acc["student"])[0]
    e = entries_by_type(a)
    answers = {e["essay"]: "早上七点起床……", e["true_false"]: "错"}
    homework.answer_save(actor=acc["student"], submission_id=sub.pk, responses=answers, now=T0 + timedelta(hours=1))
    homework.submission_submit(actor=acc["student"], submission_id=sub.pk, origin=ORIGIN, now=T0 + timedelta(hours=2))
    essay_answer = Answer.objects.get(submission=sub, entry_id=e["essay"])
    assert essay_answer.score is None and Answer.objects.get(submission=sub, entry_id=e["true_false"]).score == 0
    with pytest.raises(ZhijiaoError, match="还没有给分"):
        homework.answer_mark(actor=teacher, answer_id=essay_answer.pk, marks={"内容": 5}, comment="", origin=ORIGIN)
    homework.answer_mark(actor=teacher, answer_id=essay_answer.pk, marks={"内容": 5, "语言": 3.5}, comment="",
                         origin=ORIGIN)  # fmt: skip
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.MARKED and sub.score == Decimal("8.5")
    assert Answer.objects.get(pk=essay_answer.pk).criteria == {"内容": 5.0, "语言": 3.5}

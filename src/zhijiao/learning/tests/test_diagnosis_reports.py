"""The diagnosis refit (marks_changed → queued job → Mastery, MasteryChange, class report summaries) and the 学情
report pages: a tiny hand-computed class, the explanation, the re-test, who sees what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from huey.contrib.djhuey import HUEY

from zhijiao.learning import refit, tasks
from zhijiao.learning.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    ClassReport,
    DiagnosisFit,
    Mastery,
    MasteryChange,
    Paper,
    PaperItem,
    Submission,
    SubmissionStatus,
)
from zhijiao.learning.paper_services import paper_add_item, paper_create
from zhijiao.learning.report_selectors import class_report
from zhijiao.learning.signals import send_marks_changed
from zhijiao.learning.tests.conftest import ORIGIN, approve, make_item
from zhijiao.testing import login_as

T0 = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)  # a fixed time (10:00 in Beijing), never the wall clock


@pytest.fixture
def accounts(region):
    return region.accounts


@pytest.fixture
def points():
    from zhijiao.curriculum.models import KnowledgePoint

    return list(KnowledgePoint.objects.filter(stage="3", subject="14").order_by("code")[:2])


@pytest.fixture
def paper(accounts, points) -> Paper:
    """Four 3-point questions: 1 单选 on P1, 2 单选 on P2, 3 单选 on P1+P2, 4 填空 on P1 (answer 6)."""
    teacher, principal = accounts["teacher"], accounts["principal"]
    p1, p2 = points
    specs = [
        {"knowledge_points": [p1], "stem": "第一题 $1+1=$（  ）"},
        {"knowledge_points": [p2], "stem": "第二题 $2+2=$（  ）"},
        {"knowledge_points": [p1, p2], "stem": "第三题 $3+3=$（  ）"},
        {"knowledge_points": [p1], "stem": "填空 $2\\times3=$____", "type": "blank", "options": [], "answer": [["6"]]},
    ]
    paper = paper_create(actor=teacher, title="单元测验", stage="3", subject="14", grade="", origin=ORIGIN)
    for spec in specs:
        item = approve(make_item(teacher, **spec), principal)
        paper_add_item(actor=teacher, paper=paper, item_id=item.pk, origin=ORIGIN)
    return paper


def assign(region, paper: Paper, answers: dict[str, list], *, kind=AssignmentKind.EXAM, title="期中考试", day=0):
    """An assignment of ``paper`` with marked answers: {student key: [(response, score) per question]}."""
    school = region.schools["A"]
    a = Assignment.objects.create(
        title=title,
        kind=kind,
        paper=paper,
        stage="3",
        subject="14",
        school=school,
        division_id=school.division_id,
        opens_at=T0 + timedelta(days=day),
        status=AssignmentStatus.PUBLISHED,
        created_by=region.accounts["teacher"],
    )
    entries = list(PaperItem.objects.filter(paper=paper).order_by("order", "pk"))
    for key, rows in answers.items():
        student = region.students[key]
        total = sum(Decimal(str(s)) for _, s in rows)
        sub = Submission.objects.create(
            assignment=a,
            student=student,
            school_class_id=student.school_class_id,
            status=SubmissionStatus.MARKED,
            score=total,
            max_score=Decimal("12"),
        )
        for entry, (response, score) in zip(entries, rows, strict=False):
            sub.answers.create(entry=entry, response=response, score=Decimal(str(score)), auto=True)
    a.classes.set({region.students[k].school_class_id for k in answers})
    return a


RIGHT = [("A", 3), ("A", 3), ("A", 3), (["6"], 3)]
S2 = [("B", 0), ("A", 3), ("B", 0), (["5"], 0)]


def test_the_signal_only_queues_one_job_per_burst(region, paper, monkeypatch, django_capture_on_commit_callbacks):
    exam = assign(region, paper, {"s1": RIGHT, "s2": S2})
    queued: list[int] = []
    monkeypatch.setattr(tasks, "refit_task", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        send_marks_changed(exam.pk)
    with django_capture_on_commit_callbacks(execute=True):
        send_marks_changed(exam.pk)
        send_marks_changed(exam.pk)
    assert queued == [exam.pk]  # three signals, one job: nothing fitted in the request
    assert DiagnosisFit.objects.get(assignment=exam).queued
    assert not Mastery.objects.exists()


def test_the_job_runs_in_the_worker(region, paper, monkeypatch, django_capture_on_commit_callbacks):
    exam = assign(region, paper, {"s1": RIGHT, "s2": S2})
    monkeypatch.setattr(HUEY, "immediate", True)  # run the queued job in-process, as the worker would
    with django_capture_on_commit_callbacks(execute=True):
        send_marks_changed(exam.pk)
    fit = DiagnosisFit.objects.get(assignment=exam)
    assert not fit.queued and fit.fits == 1 and fit.model == "cdm"
    assert Mastery.objects.count() == 4


def test_exam_refit_writes_the_cdm_posterior_and_is_idempotent(region, paper, points):
    exam = assign(region, paper, {"s1": RIGHT, "s2": S2, "s3": [("A", 3), ("B", 0), ("B", 0), (["6"], 3)]})
    result = refit.refit_assignment(exam.pk)
    assert result is not None and result.pupils == 3 and result.points == 2
    # by hand: a class is too small to fit the CDM, so it is DINA with slip 0.1, guess 0.2 and the four patterns of
    # (P1, P2) equally likely; questions need P1, P2, both, P1. s2 answered wrong, right, wrong, wrong.
    like = {}
    for a1 in (0, 1):
        for a2 in (0, 1):
            eta = [a1, a2, a1 and a2, a1]
            p_right = [0.9 if e else 0.2 for e in eta]
            like[(a1, a2)] = (1 - p_right[0]) * p_right[1] * (1 - p_right[2]) * (1 - p_right[3])
    p1 = (like[(1, 0)] + like[(1, 1)]) / sum(like.values())
    s1, s2 = region.students["s1"], region.students["s2"]
    rows = {(r.student_id, r.knowledge_point_id): r for r in Mastery.objects.all()}
    assert len(rows) == 6
    got = rows[(s2.pk, points[0].pk)]
    assert got.estimate == pytest.approx(p1, abs=1e-9)
    assert got.uncertainty == pytest.approx((p1 * (1 - p1)) ** 0.5, abs=1e-9)
    assert got.evidence == 3 and got.model == "cdm" and got.assignment_id == exam.pk  # questions 1, 3, 4 on P1
    assert rows[(s1.pk, points[0].pk)].estimate > rows[(s2.pk, points[0].pk)].estimate
    changes = list(MasteryChange.objects.order_by("student_id", "knowledge_point_id").values_list())
    assert len(changes) == 6 and all(c[3] is None for c in changes)  # no estimate before the first exam
    before = sorted(Mastery.objects.values_list("student_id", "knowledge_point_id", "estimate", "evidence"))
    refit.refit_assignment(exam.pk)  # a re-run writes the same rows
    assert sorted(Mastery.objects.values_list("student_id", "knowledge_point_id", "estimate", "evidence")) == before
    again = list(MasteryChange.objects.order_by("student_id", "knowledge_point_id").values_list())
    assert [c[1:] for c in again] == [c[1:] for c in changes]


def test_homework_updates_the_exam_estimate_by_knowledge_tracing(region, paper, points):
    hw_paper = paper_create(
        actor=region.accounts["teacher"], title="练习", stage="3", subject="14", grade="", origin=ORIGIN
    )
    first = PaperItem.objects.filter(paper=paper).order_by("order").first()
    paper_add_item(actor=region.accounts["teacher"], paper=hw_paper, item_id=first.item_id, origin=ORIGIN)
    hw = assign(region, hw_paper, {"s1": [("A", 3)]}, kind=AssignmentKind.HOMEWORK, title="练习一")
    refit.refit_assignment(hw.pk)
    # by hand: prior 0.5; a right answer: 0.5·0.9 / (0.5·0.9 + 0.5·0.2) = 0.81818…, then learning: + (1 − ·)·0.1
    mastery = Mastery.objects.get(student=region.students["s1"], knowledge_point=points[0])
    assert mastery.estimate == pytest.approx(0.45 / 0.55 + (1 - 0.45 / 0.55) * 0.1)
    assert mastery.model == "kt" and mastery.evidence == 1
    exam = assign(region, paper, {"s1": S2, "s2": RIGHT}, day=5)
    refit.refit_assignment(exam.pk)
    change = MasteryChange.objects.get(assignment=exam, student=region.students["s1"], knowledge_point=points[0])
    assert change.before == pytest.approx(mastery.estimate) and change.evidence == 4  # 1 homework + 3 exam answers
    hw2 = assign(region, hw_paper, {"s1": [("B", 0)]}, kind=AssignmentKind.HOMEWORK, title="练习二", day=8)
    refit.refit_assignment(hw2.pk)
    p = change.after
    post = p * 0.1 / (p * 0.1 + (1 - p) * 0.8)  # a wrong answer: slip 0.1, 1 − guess 0.8
    mastery.refresh_from_db()
    assert mastery.estimate == pytest.approx(post + (1 - post) * 0.1) and mastery.assignment_id == hw2.pk


def test_the_class_report_of_a_tiny_class(region, paper, points, accounts):
    exam = assign(region, paper, {"s1": RIGHT, "s2": S2, "s3": RIGHT})
    refit.refit_assignment(exam.pk)
    assert ClassReport.objects.filter(assignment=exam).count() == 2  # A1 (s1, s2) and A2 (s3)
    page = class_report(actor=accounts["teacher"], class_id=region.classes["A1"].pk)
    d = page.data
    assert d["n"] == 2 and d["max_total"] == 12 and d["mean"] == 7.5 and d["high"] == 12 and d["low"] == 3
    assert d["bins"][9] == 1 and d["bins"][2] == 1 and sum(d["bins"]) == 2
    assert d["pass_rate"] == 0.5 and d["excellent_rate"] == 0.5
    assert [it["difficulty"] for it in d["items"]] == [0.5, 1.0, 0.5, 0.5]
    first = d["items"][0]["options"]
    assert {o["option"]: o["share"] for o in first}["B"] == 0.5 and next(o for o in first if o["key"])["option"] == "A"
    assert {(w["n"], w["answer"], w["count"]) for w in d["wrong"]} == {
        (1, "选 B", 1),
        (3, "选 B", 1),
        (4, "第1空：5", 1),
    }
    groups = {g["label"]: g["names"] for g in page.groups}
    assert groups["优秀"] == ["学生s1"] and groups["待提高"] == ["学生s2"] and groups["良好"] == []
    assert [r["name"] for r in page.rows] == ["学生s1", "学生s2"]  # highest total first
    s2_p1 = page.rows[1]["cells"][0]
    mastery = Mastery.objects.get(student=region.students["s2"], knowledge_point=points[0])
    assert s2_p1["value"] == round(mastery.estimate, 3) and s2_p1["sd"] == round(mastery.uncertainty, 3)


def test_the_report_changes_after_a_retest(client, region, paper, points, accounts):
    exam = assign(region, paper, {"s1": RIGHT, "s2": S2, "s3": RIGHT})
    refit.refit_assignment(exam.pk)
    retest = assign(region, paper, {"s1": RIGHT, "s2": RIGHT, "s3": RIGHT}, title="单元再测", day=7)
    refit.refit_assignment(retest.pk)
    page = class_report(actor=accounts["teacher"], class_id=region.classes["A1"].pk, compare_id=exam.pk)
    assert page.assignment == retest and page.compare == exam
    moved = {m["kp"]: m for m in page.moved}
    assert moved[points[0].pk]["delta"] > 0 and moved[points[0].pk]["up"] >= 1 and moved[points[0].pk]["n"] == 2
    s2 = dict(
        MasteryChange.objects.filter(student=region.students["s2"], knowledge_point=points[0]).values_list(
            "assignment_id", "after"
        )
    )
    assert s2[retest.pk] - s2[exam.pk] >= 0.1  # s2 learnt P1
    login_as(client, accounts["teacher"])
    body = client.get(f"/learning/reports/class/{region.classes['A1'].pk}/?compare={exam.pk}").content.decode()
    assert "再测后的变化" in body and "单元再测" in body


def test_explanation_lists_the_answers_that_moved_it(client, region, paper, points, accounts):
    exam = assign(region, paper, {"s1": RIGHT, "s2": S2, "s3": RIGHT})
    refit.refit_assignment(exam.pk)
    login_as(client, accounts["teacher"])
    s2 = region.students["s2"]
    response = client.get(f"/learning/reports/student/{s2.pk}/why/{points[0].pk}/")
    body = response.content.decode()
    assert response.status_code == 200, body
    assert "期中考试" in body, body[body.find("<main") :] and "第 1 题" in body and "使掌握度降低" in body
    report = client.get(f"/learning/reports/student/{s2.pk}/")
    assert report.status_code == 200 and f"/why/{points[0].pk}/" in report.content.decode()


def test_who_sees_the_reports(client, region, paper, accounts):
    exam = assign(region, paper, {"s1": RIGHT, "s2": S2, "s3": RIGHT})
    refit.refit_assignment(exam.pk)
    a1, a2 = region.classes["A1"].pk, region.classes["A2"].pk
    s1, s3 = region.students["s1"].pk, region.students["s3"].pk
    cases = [
        ("teacher", f"/learning/reports/class/{a1}/", 200),  # teaches A1
        ("teacher", f"/learning/reports/class/{a1}/export.xlsx?assignment={exam.pk}", 200),
        ("teacher", f"/learning/reports/class/{a2}/", 404),  # does not teach A2
        ("teacher", f"/learning/reports/student/{s3}/", 404),
        ("head", f"/learning/reports/class/{a2}/", 200),  # 班主任 of A2
        ("head", f"/learning/reports/student/{s3}/", 200),
        ("principal", f"/learning/reports/class/{a1}/", 200),
        ("student", f"/learning/reports/student/{s1}/", 200),  # their own
        ("student", f"/learning/reports/student/{s3}/", 404),
        ("student", f"/learning/reports/class/{a1}/", 404),
        ("parent", f"/learning/reports/student/{s1}/", 404),  # guardians have their own view
        ("parent", f"/learning/reports/class/{a1}/", 404),
        ("bureau", f"/learning/reports/student/{s1}/", 404),  # bureaus read aggregates
        ("nobody", f"/learning/reports/class/{a1}/", 404),
    ]
    got = []
    for username, url, _ in cases:
        client.logout()
        login_as(client, accounts[username])
        got.append((username, url, client.get(url).status_code))
    assert got == cases


def test_a_queued_assignment_says_it_is_being_analysed(client, region, paper, accounts):
    exam = assign(region, paper, {"s1": RIGHT, "s2": S2})
    login_as(client, accounts["teacher"])
    body = client.get(f"/learning/reports/class/{region.classes['A1'].pk}/?assignment={exam.pk}").content.decode()
    assert "正在分析" in body


def test_the_refit_command(region, paper):
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    exam = assign(region, paper, {"s1": RIGHT, "s2": S2})
    out = StringIO()
    call_command("learning", "refit", "--all", "--json", stdout=out)
    [row] = json.loads(out.getvalue())
    assert row["assignment_id"] == exam.pk and row["model"] == "cdm" and row["changes"] == 4 and row["reports"] == 1
    with pytest.raises(CommandError, match="没有这些作业/考试"):
        call_command("learning", "refit", "--assignment", str(exam.pk + 1000))


def test_the_report_entry_lists_the_classes_a_teacher_leads(client, region, paper, accounts):
    assign(region, paper, {"s1": RIGHT, "s2": S2, "s3": RIGHT})
    login_as(client, accounts["teacher"])
    body = client.get("/learning/reports/").content.decode()
    assert f"/learning/reports/class/{region.classes['A1'].pk}/" in body
    assert f"/learning/reports/class/{region.classes['A2'].pk}/" not in body
    client.logout()
    login_as(client, accounts["student"])
    assert client.get("/learning/reports/").url == f"/learning/reports/student/{region.students['s1'].pk}/"
    client.logout()
    login_as(client, accounts["parent"])
    assert client.get("/learning/reports/").status_code == 404


def test_point_blocks_cover_every_point_in_blocks_of_at_most_twelve():
    # 30 points: 1..12 on two questions each (the most measured), 13..30 on one; 20 and 30 share a question
    items = [[k] for k in range(1, 13)] * 2 + [[k] for k in range(13, 30) if k != 20] + [[20, 30]]
    blocks = refit.point_blocks(items)
    assert blocks[0] == list(range(1, 13))  # an exam of up to 12 points fits exactly as before
    assert sorted(k for b in blocks for k in b) == list(range(1, 31))
    assert all(len(b) <= refit.MAX_POINTS for b in blocks) and len(blocks) == 3
    assert any(20 in b and 30 in b for b in blocks)  # a question's points are modelled together where they can be
    assert refit.point_blocks([[5], [3]]) == [[3, 5]]


@pytest.fixture
def wide_paper(accounts) -> tuple[Paper, list]:
    """Fourteen 3-point 单选 questions, one per knowledge point: more points than one CDM block models."""
    from zhijiao.curriculum.models import KnowledgePoint

    teacher, principal = accounts["teacher"], accounts["principal"]
    kps = list(KnowledgePoint.objects.filter(stage="3", subject="14").order_by("code")[:14])
    assert len(kps) == 14
    paper = paper_create(actor=teacher, title="综合测验", stage="3", subject="14", grade="", origin=ORIGIN)
    for n, kp in enumerate(kps, start=1):
        item = approve(make_item(teacher, knowledge_points=[kp], stem=f"第{n}题 $1+{n}=$（  ）"), principal)
        paper_add_item(actor=teacher, paper=paper, item_id=item.pk, origin=ORIGIN)
    return paper, kps


def test_an_exam_with_more_than_twelve_points_estimates_every_point(client, region, wide_paper, accounts):
    paper, kps = wide_paper
    right, wrong = ("A", 3), ("B", 0)
    s1_rows = [right] * 14
    s2_rows = [wrong] * 13 + [right]  # s2 gets only the last question right
    exam = assign(region, paper, {"s1": s1_rows, "s2": s2_rows, "s3": [right, wrong] * 7})
    result = refit.refit_assignment(exam.pk)
    assert result is not None and result.points == 14
    rows = {(r.student_id, r.knowledge_point_id): r for r in Mastery.objects.filter(model="cdm")}
    s1, s2 = region.students["s1"], region.students["s2"]
    for kp in kps:  # every point of the paper, for every pupil, with an uncertainty
        for key in ("s1", "s2", "s3"):
            m = rows[(region.students[key].pk, kp.pk)]
            assert 0 < m.estimate < 1 and m.uncertainty > 0 and m.evidence == 1
    last = kps[-1]
    fit = DiagnosisFit.objects.get(assignment=exam)
    assert len(fit.params["blocks"]) == 2 and set(fit.params["kps"]) == {k.pk for k in kps}
    assert refit.cdm_for_point(fit.params, last.pk) is not None
    assert rows[(s1.pk, kps[0].pk)].estimate > rows[(s2.pk, kps[0].pk)].estimate
    # the class report has every point too
    page = class_report(actor=accounts["teacher"], class_id=region.classes["A1"].pk)
    assert {p["id"] for p in page.points} == {k.pk for k in kps}
    # and 为什么是这个数 explains a point past the first twelve from the answers that moved it
    login_as(client, accounts["teacher"])
    body = client.get(f"/learning/reports/student/{s2.pk}/why/{last.pk}/").content.decode()
    assert "第 14 题" in body and "使掌握度提高" in body, body[body.find("<main") :]


def test_a_fit_stored_before_blocks_still_explains():
    params = {"q": [[1], [1]], "c": [-1.0, -1.0], "d": [3.0, 3.0], "a": [0.0, 0.0], "prior": [0.5, 0.5]}
    params |= {"n_nodes": 1, "kps": [7], "entries": [1, 2]}
    found = refit.cdm_for_point(params, 7)
    assert found is not None and found[1] == 0
    assert refit.cdm_for_point(params, 8) is None


def test_learning_pages_name_a_class_as_the_rest_of_the_site(client, region, paper, accounts):
    from zhijiao.org.selectors import class_display_name

    klass = region.classes["A1"]
    label = class_display_name(klass)
    assert label != klass.name  # 「三年级（1）班」 where the class is stored as 「2024级（1）班」
    exam = assign(region, paper, {"s1": RIGHT, "s2": S2})
    refit.refit_assignment(exam.pk)
    login_as(client, accounts["teacher"])
    for url in (
        "/learning/reports/",
        f"/learning/reports/class/{klass.pk}/",
        "/learning/homework/",
        f"/learning/homework/{exam.pk}/",
        "/learning/homework/new/",
    ):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert label in body and klass.name not in body, url
    export = client.get(f"/learning/reports/class/{klass.pk}/export.xlsx?assignment={exam.pk}")
    assert quote(label) in export["Content-Disposition"]

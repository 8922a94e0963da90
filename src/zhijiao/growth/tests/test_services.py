"""Fitness sessions and results through the services: scope, all-or-nothing import, audit, the class report."""

from __future__ import annotations

import csv
import io

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound
from zhijiao.growth.models import FitnessResult
from zhijiao.growth.selectors import fitness_class_report
from zhijiao.growth.services import fitness_results_import, fitness_session_create
from zhijiao.org.models import Term

HEADER = ["学籍号", "性别", "年级", "身高", "体重", "肺活量", "50米跑", "坐位体前屈", "一分钟跳绳"]
CLI = Origin(channel="cli")


def _file(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    return buf.getvalue().encode()


def _session(region, who="principal"):
    term = Term.objects.get(is_current=True) if Term.objects.filter(is_current=True).exists() else Term.objects.first()
    return fitness_session_create(
        actor=region.accounts[who], school_id=region.schools["A"].pk, term_id=term.pk, name="2026年秋季体测", origin=CLI
    )


@pytest.mark.django_db
def test_import_scores_stores_audits_and_reports(region):
    s1, s2, s3 = (region.students[k] for k in ("s1", "s2", "s3"))
    session = _session(region)
    data = _file(
        [
            [s1.student_no, "男", "一年级", "120", "22", "1300", "10.6", "11.0", "87"],  # 83.0 良好
            [s2.student_no, "男", "一年级", "120", "35", "500", "13.6", "-4.0", "2"],  # BMI 24.3 肥胖, 17.5 不及格
            [s3.student_no, "男", "一年级", "120", "22", "1300", "10.6", "11.0", "149"],  # 87.0 + 20 = 107.0 优秀
        ]
    )
    before = AuditEvent.objects.count()
    outcome = fitness_results_import(
        actor=region.accounts["principal"], session_id=session.pk, data=data, name="a.csv", origin=CLI
    )
    assert outcome.ok and outcome.imported == 3
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "growth.fitness_results_import" and event.target_id == str(session.pk)
    r1 = FitnessResult.objects.get(session=session, student=s1)
    assert (str(r1.standard_score), r1.bonus, str(r1.total_score), r1.level) == ("83.0", 0, "83.0", "良好")
    assert r1.scores["run_50m"] == 80 and r1.school_class_id == region.classes["A1"].pk
    # A1 holds s1 (良好) and s2 (不及格, 肥胖); s3 is in A2
    report = fitness_class_report(
        actor=region.accounts["teacher"], session_id=session.pk, class_id=region.classes["A1"].pk
    )
    assert report.pupils == 2 and report.levels == {"优秀": 0, "良好": 1, "及格": 0, "不及格": 1}
    assert (report.excellent_good_rate, report.pass_rate, report.obesity_rate, report.mean_total) == (
        50.0,
        50.0,
        50.0,
        50.3,
    )
    # re-import of a corrected row replaces it
    fixed = _file([[s2.student_no, "男", "一年级", "120", "22", "1300", "10.6", "11.0", "87"]])
    fitness_results_import(
        actor=region.accounts["principal"], session_id=session.pk, data=fixed, name="b.csv", origin=CLI
    )
    assert FitnessResult.objects.filter(session=session).count() == 3
    assert FitnessResult.objects.get(session=session, student=s2).level == "良好"


@pytest.mark.django_db
def test_import_is_all_or_nothing_with_reasons(region):
    session = _session(region)
    other_school = region.students["s4"]  # school B
    data = _file(
        [
            [region.students["s1"].student_no, "男", "一年级", "120", "22", "1300", "10.6", "11.0", "87"],
            [other_school.student_no, "男", "一年级", "120", "22", "1300", "10.6", "11.0", "87"],
            [region.students["s2"].student_no, "男", "一年级", "120", "22", "1300", "快", "11.0", "87"],
        ]
    )
    outcome = fitness_results_import(
        actor=region.accounts["principal"], session_id=session.pk, data=data, name="a.csv", origin=CLI
    )
    assert not outcome.ok and outcome.imported == 0
    assert [p.text for p in outcome.problems] == [
        f"第3行 学籍号：{other_school.student_no} 不是东西湖区第一小学的学生",
        "第4行 50米跑：不是数字",
    ]
    assert not FitnessResult.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["nobody", "student", "parent", "inspector"])
def test_only_the_school_its_teachers_and_bureaus_open_sessions_and_import(region, who):
    with pytest.raises(NotFound):
        _session(region, who)


@pytest.mark.parametrize("who", ["teacher", "head"])
def test_a_teacher_of_the_school_opens_a_session(region, who):
    assert _session(region, who).school == region.schools["A"]  # the 体育教师 runs the test (issue 16 item 3)


@pytest.mark.django_db
def test_bureau_opens_a_session_and_out_of_scope_reports_are_not_found(region):
    session = _session(region, "bureau")
    a1 = region.classes["A1"].pk
    for who in ("nobody", "parent"):
        with pytest.raises(NotFound):
            fitness_class_report(actor=region.accounts[who], session_id=session.pk, class_id=a1)
    with pytest.raises(NotFound):  # a class of another school than the session's
        fitness_class_report(actor=region.accounts["admin"], session_id=session.pk, class_id=region.classes["B1"].pk)
    assert fitness_class_report(actor=region.accounts["inspector"], session_id=session.pk, class_id=a1).pupils == 0

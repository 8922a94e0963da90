"""Reports above the class: the guardian's view, school and district reports (issue 14, item 4).

A tiny district, 东西湖区 of the matrix region: schools A (classes A1, A2) and B (B1 and a new B2), a district
math exam (满分 10) with scores and mastery chosen so every figure below is worked out by hand.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.cache import cache

from zhijiao.core.errors import NotFound
from zhijiao.core.events import registry_changes_collected
from zhijiao.curriculum.models import KnowledgePoint
from zhijiao.learning import reports_area as ra
from zhijiao.learning.models import (
    Assignment,
    AssignmentKind,
    AssignmentMode,
    AssignmentStatus,
    Mastery,
    MasteryChange,
    Paper,
    PaperItem,
    Submission,
    SubmissionStatus,
)
from zhijiao.learning.tests.conftest import make_item
from zhijiao.org.models import Division, School
from zhijiao.org.services import class_create, school_create
from zhijiao.people.services import person_create, student_enroll
from zhijiao.resources.tests.conftest import make_resource, publish
from zhijiao.testing import build_matrix_region, login_as, make_id

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a fixed clock (never the wall clock)
# class → scores (None: assigned, not marked); the first pupils are the region's own (s1, s2 / s3 / s4)
SCORES = {
    "A1": [9, 10, 8.5, 6, 5, 2, None],
    "A2": [7, 7, 6.5, 3, 4],
    "B1": [10, 9, 8, 7, 6, 5],
    "B2": [4, 3, 2, 1, 0],
}
OWN = {"A1": ["s1", "s2"], "A2": ["s3"], "B1": ["s4"], "B2": []}
# class → (mastery of point 1, of point 2) for every marked pupil
MASTERY = {"A1": (0.8, 0.4), "A2": (0.5, 0.7), "B1": (0.9, 0.6), "B2": (0.3, 0.2)}


class District:
    def __init__(self) -> None:
        self.r = build_matrix_region()
        r = self.r
        with registry_changes_collected(publish=False):
            r.classes["B2"] = class_create(school=r.schools["B"], stage="2", entry_year=2025, number=2)
            self.pupils: dict[str, list] = {}
            seq = iter(range(10, 99))
            for key, scores in SCORES.items():
                pupils = [r.students[k] for k in OWN[key]]
                while len(pupils) < len(scores):
                    born = date(2018, 5, 5)
                    n = next(seq)
                    p = person_create(
                        name=f"学生{key}{n}",
                        sex="1",
                        birth_date=born,
                        ethnicity="汉族",
                        id_number=make_id("420112", born, n, "1"),
                    )
                    pupils.append(
                        student_enroll(
                            actor=None,
                            person=p,
                            student_no=f"G{p.id_number}",
                            school_class=r.classes[key],
                            on=date(2024, 9, 1),
                        )
                    )
                self.pupils[key] = pupils
        teacher = r.accounts["teacher"]
        points = list(KnowledgePoint.objects.filter(stage="3", subject="14").order_by("code")[:2])
        self.points = points
        paper = Paper.objects.create(title="期中", stage="3", subject="14", author=teacher, owner_division_id="420112")
        for i, kp in enumerate(points):
            item = make_item(teacher, stem=f"第{i + 1}题 $x+{i}=1$")
            item.knowledge_points.set([kp])
            PaperItem.objects.create(paper=paper, item=item, version=item.current_version, order=i, points=5)
        self.exam = Assignment.objects.create(
            title="东西湖区八年级数学期中",
            kind=AssignmentKind.EXAM,
            mode=AssignmentMode.PAPER,
            paper=paper,
            stage="3",
            subject="14",
            division=Division.objects.get(pk="420112"),
            opens_at=NOW - timedelta(days=5),
            status=AssignmentStatus.PUBLISHED,
            created_by=r.accounts["bureau"],
        )
        for key, scores in SCORES.items():
            for pupil, score in zip(self.pupils[key], scores, strict=True):
                marked = score is not None
                Submission.objects.create(
                    assignment=self.exam,
                    student=pupil,
                    school_class=r.classes[key],
                    status=SubmissionStatus.MARKED if marked else SubmissionStatus.ASSIGNED,
                    score=Decimal(str(score)) if marked else None,
                    max_score=Decimal(10),
                    marked_at=NOW - timedelta(days=1) if marked else None,
                )
                for kp, value in zip(points, MASTERY[key], strict=True):
                    # the unmarked pupil has a (very different) estimate: it must not count
                    Mastery.objects.create(
                        student=pupil,
                        knowledge_point=kp,
                        subject="14",
                        estimate=value if marked else 0.0,
                        uncertainty=0.1,
                        evidence=3,
                        model="cdm",
                        assignment=self.exam,
                        fitted_at=NOW,
                    )

    def account(self, name):
        return self.r.accounts[name]


@pytest.fixture
def d(db) -> District:
    cache.clear()  # the reports keep their aggregates; ids come back after each test's rollback
    return District()


def _group(report, name_part):
    return next(g for g in report.groups if name_part in g.name)


# ------------------------------------------------------------------ aggregates, by hand


def test_district_report_figures_by_hand(d):
    report = ra.district_report(actor=d.account("bureau"), assignment_id=d.exam.pk)
    assert report.node == "420112" and report.level == "district"
    a, b = _group(report, "第一小学").figures, _group(report, "第二小学").figures
    # A: A1 9 10 8.5 6 5 2 (one more assigned, unmarked) and A2 7 7 6.5 3 4 → 68 / 11
    assert (a.assigned, a.n, a.mean, a.high, a.low) == (12, 11, 6.2, 10.0, 2.0)
    assert (a.excellent, a.passed, a.low_scores) == (3, 7, 2)
    assert (a.excellent_rate, a.pass_rate, a.low_rate) == (27.3, 63.6, 18.2)
    # bands of 10 %: 2 → 20–30 %; 3 → 30–40 %; 4 → 40–50 %; 5 → 50–60 %; 6 6.5 → 60–70 %; 7 7 → 70–80 %;
    # 8.5 → 80–90 %; 9 10 → 90–100 %
    assert a.bands == [0, 0, 1, 1, 1, 1, 2, 2, 1, 2]
    # B: B1 10 9 8 7 6 5 and B2 4 3 2 1 0 → 55 / 11
    assert (b.n, b.mean, b.excellent, b.passed, b.low_scores) == (11, 5.0, 2, 5, 4)
    assert b.bands == [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]
    # the district: 123 / 22
    t = report.total
    assert (t.n, t.mean, t.excellent_rate, t.pass_rate, t.low_rate) == (22, 5.6, 22.7, 54.5, 27.3)
    assert t.bands == [x + y for x, y in zip(a.bands, b.bands, strict=True)]
    # mastery per school: A (6 × 0.8 + 5 × 0.5) / 11, (6 × 0.4 + 5 × 0.7) / 11; B (6 × 0.9 + 5 × 0.3) / 11 …
    assert _group(report, "第一小学").cells == [round(7.3 / 11, 2), round(5.9 / 11, 2)]
    assert _group(report, "第二小学").cells == [round(6.9 / 11, 2), round(4.6 / 11, 2)]
    assert report.total_mastery == [round(14.2 / 22, 2), round(10.5 / 22, 2)]
    assert [p.pk for p in report.points] == [p.pk for p in d.points]


def test_school_report_per_class_by_hand(d):
    report = ra.school_report(actor=d.account("principal"), assignment_id=d.exam.pk, school_id=d.r.schools["A"].pk)
    assert report.pupils and report.level == "school"
    a1, a2 = report.groups
    assert (a1.figures.assigned, a1.figures.n, a1.figures.mean) == (7, 6, 6.8)  # 40.5 / 6 = 6.75
    assert (a1.figures.excellent_rate, a1.figures.pass_rate, a1.figures.low_rate) == (50.0, 66.7, 16.7)
    assert (a2.figures.n, a2.figures.mean, a2.figures.excellent, a2.figures.passed) == (5, 5.5, 0, 3)
    assert a1.cells == [0.8, 0.4] and a2.cells == [0.5, 0.7]
    assert report.total.mean == 6.2 and report.total.n == 11
    assert a1.link.endswith(f"/classes/{d.r.classes['A1'].pk}/")


# ------------------------------------------------------------------ suppression of small groups


def test_a_small_school_is_not_shown_and_the_next_smallest_is_hidden_too(d):
    r = d.r
    with registry_changes_collected(publish=False):
        small = school_create(
            code="3420112009",
            name="东西湖区小型学校",
            school_type="211",
            division=r.schools["A"].division,
            stages=["2"],
        )
        klass = class_create(school=small, stage="2", entry_year=2025, number=1)
    for pupil in d.pupils["B2"][:2]:  # two pupils sat it at the small school
        Submission.objects.filter(assignment=d.exam, student=pupil).update(school_class=klass)
    report = ra.district_report(actor=d.account("researcher"), assignment_id=d.exam.pk)
    tiny = _group(report, "小型学校")
    assert tiny.figures.hidden == ra.SUPPRESSED and tiny.cells == [None, None]
    # A and B both have 11 … B now 9: the smallest shown school is hidden too, so the total gives nothing away
    b = _group(report, "第二小学")
    assert b.figures.n == 9 and b.figures.hidden == ra.SECONDARY
    assert not _group(report, "第一小学").figures.hidden
    assert report.total.n == 22  # every pupil still counts in the total
    assert report.chart()["groups"] == ["东西湖区第一小学"]


def test_the_school_report_above_the_school_hides_small_classes(d):
    # B2 keeps 3 of its 5 pupils: B2 is hidden for the 教研员, and B1 with it; the school's own admin sees both
    for pupil in d.pupils["B2"][:2]:
        Submission.objects.filter(assignment=d.exam, student=pupil).delete()
    b = d.r.schools["B"].pk
    above = ra.school_report(actor=d.account("researcher"), assignment_id=d.exam.pk, school_id=b)
    assert [g.figures.hidden for g in above.groups] == [ra.SECONDARY, ra.SUPPRESSED]
    assert not above.pupils and all(not g.link for g in above.groups)


# ------------------------------------------------------------------ access


def test_researcher_reads_only_their_subject_and_area(d):
    researcher = d.account("researcher")
    assert [a.pk for a, _node in ra.district_exam_list(actor=researcher)] == [d.exam.pk]
    ra.school_report(actor=researcher, assignment_id=d.exam.pk, school_id=d.r.schools["A"].pk)
    with pytest.raises(NotFound):  # 江岸区 is outside their area
        ra.school_report(actor=researcher, assignment_id=d.exam.pk, school_id=d.r.schools["C"].pk)
    with pytest.raises(NotFound):  # never a pupil list
        ra.class_pupils(actor=researcher, assignment_id=d.exam.pk, class_id=d.r.classes["A1"].pk)
    Assignment.objects.filter(pk=d.exam.pk).update(subject="13")  # 语文: not their subject
    with pytest.raises(NotFound):
        ra.district_report(actor=researcher, assignment_id=d.exam.pk)
    assert ra.district_exam_list(actor=researcher) == []


def test_who_reads_the_district_report(d):
    for name in ("admin", "bureau", "city", "researcher"):
        ra.district_report(actor=d.account(name), assignment_id=d.exam.pk)
    for name in ("teacher", "principal", "head", "parent", "student", "inspector", "bureau_c", "sysadmin"):
        with pytest.raises(NotFound):
            ra.district_report(actor=d.account(name), assignment_id=d.exam.pk)


def test_a_city_exam_is_read_at_the_readers_own_district(d):
    Assignment.objects.filter(pk=d.exam.pk).update(division_id="4201")
    report = ra.district_report(actor=d.account("bureau_c"), assignment_id=d.exam.pk)
    assert report.node == "420102" and report.groups == []  # no pupil of 江岸区 sat it
    assert ra.district_report(actor=d.account("city"), assignment_id=d.exam.pk).node == "4201"


def test_a_school_admin_reads_only_their_school_and_its_pupils(d):
    principal = d.account("principal")
    assert {s.pk for _a, s in ra.school_assignment_list(actor=principal)} == {d.r.schools["A"].pk}
    _a, _k, rows = ra.class_pupils(actor=principal, assignment_id=d.exam.pk, class_id=d.r.classes["A1"].pk)
    assert [p.score for p in rows][:3] == [10.0, 9.0, 8.5] and len(rows) == 7
    for school in ("B", "C"):
        with pytest.raises(NotFound):
            ra.school_report(actor=principal, assignment_id=d.exam.pk, school_id=d.r.schools[school].pk)
    with pytest.raises(NotFound):
        ra.class_pupils(actor=principal, assignment_id=d.exam.pk, class_id=d.r.classes["B1"].pk)
    # the bureau reads the school's classes, never its pupils
    bureau_view = ra.school_report(actor=d.account("bureau"), assignment_id=d.exam.pk, school_id=d.r.schools["A"].pk)
    assert not bureau_view.pupils
    with pytest.raises(NotFound):
        ra.class_pupils(actor=d.account("bureau"), assignment_id=d.exam.pk, class_id=d.r.classes["A1"].pk)


def test_pages_and_exports_carry_no_pupil_names_above_the_school(client, d):
    names = [p.person.name for pupils in d.pupils.values() for p in pupils]
    login_as(client, d.account("researcher"))
    for url in (
        f"/learning/reports/assignments/{d.exam.pk}/district/",
        f"/learning/reports/assignments/{d.exam.pk}/schools/{d.r.schools['A'].pk}/",
    ):
        body = client.get(url).content.decode()
        assert "东西湖区" in body and "知识点掌握情况" in body
        assert not [n for n in names if n in body]
    response = client.get(f"/learning/reports/assignments/{d.exam.pk}/district/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "东西湖区第一小学" in cells and not [n for n in names if n in cells]
    assert book.sheetnames == ["成绩概况", "知识点掌握"]
    assert client.get(f"/learning/reports/assignments/{d.exam.pk}/classes/{d.r.classes['A1'].pk}/").status_code == 404


def test_teacher_has_no_area_reports(client, d):
    login_as(client, d.account("teacher"))
    assert "区域统考" not in client.get("/learning/reports/").content.decode()  # their classes' reports only
    assert client.get(f"/learning/reports/assignments/{d.exam.pk}/district/").status_code == 404
    assert client.get(f"/learning/reports/assignments/{d.exam.pk}/district/export.xlsx").status_code == 404


# ------------------------------------------------------------------ the guardian's view


def test_guardian_sees_only_their_child_in_plain_words(client, d, settings, tmp_path):
    settings.ZHIJIAO_MEDIA_DIR = tmp_path / "media"
    r, s1 = d.r, d.r.students["s1"]
    weak, strong = d.points[1], d.points[0]  # s1 (A1): 0.8 on the first point, 0.4 on the second
    MasteryChange.objects.create(
        student=s1,
        knowledge_point=strong,
        before=0.5,
        after=0.8,
        uncertainty=0.1,
        model="cdm",
        at=NOW - timedelta(days=3),
    )
    MasteryChange.objects.create(  # too long ago to be "lately"
        student=s1,
        knowledge_point=weak,
        before=0.9,
        after=0.4,
        uncertainty=0.1,
        model="cdm",
        at=NOW - timedelta(days=60),
    )
    a = r.accounts
    resource = make_resource(a["teacher"], title="一次函数 微课", knowledge_points=[weak], sharing="public")
    publish(resource, first=a["principal"], second=a["bureau"])
    parent = a["parent"]
    summary = ra.child_summary(actor=parent, student=s1, now=NOW)
    assert [(x.title, x.score, x.words) for x in summary.results] == [("东西湖区八年级数学期中", 9.0, "优秀")]
    assert [(p.name, p.words) for p in summary.strengths] == [(strong.name, "掌握得很好")]
    assert [(p.name, p.words, p.resource_url) for p in summary.practise] == [
        (weak.name, "还需巩固", f"/resources/{resource.pk}/")
    ]
    assert [(c.name, c.up) for c in summary.changes] == [(strong.name, True)]
    with pytest.raises(NotFound):  # s3 is not their child
        ra.child_summary(actor=parent, student=r.students["s3"], now=NOW)
    for name in ("teacher", "principal", "bureau", "researcher", "parent_c"):
        with pytest.raises(NotFound):
            ra.child_summary(actor=a[name], student=s1, now=NOW)
    ra.child_summary(actor=a["student"], student=s1, now=NOW)  # the pupil themselves
    # the page opens on the child with a diagnosis (a younger sibling without marked work comes second)
    fitted = set(Mastery.objects.values_list("student_id", flat=True))
    without = next(s for s in r.students.values() if s.pk not in fitted)
    assert ra.child_first([without, s1]) == s1 and ra.child_first([without]) == without

    login_as(client, parent)
    body = client.get("/learning/reports/child/").content.decode()
    assert "孩子的学习情况" in body and "建议多练的地方" in body and "推荐学习" in body
    assert "0.4" not in body and "±" not in body  # no raw estimates
    assert client.get(f"/learning/reports/child/{r.students['s4'].pk}/").status_code == 200  # their other child
    assert client.get(f"/learning/reports/child/{r.students['s3'].pk}/").status_code == 404
    assert client.get("/learning/reports/").status_code == 404
    login_as(client, a["teacher"])
    assert client.get("/learning/reports/child/").status_code == 403


def test_report_pages_render_for_their_readers(client, d):
    login_as(client, d.account("principal"))
    home = client.get("/learning/reports/").content.decode()
    assert "本校作业与考试" in home and d.exam.title in home
    page = client.get(f"/learning/reports/assignments/{d.exam.pk}/schools/{d.r.schools['A'].pk}/")
    assert page.status_code == 200 and "data-print" in page.content.decode()
    pupils = client.get(f"/learning/reports/assignments/{d.exam.pk}/classes/{d.r.classes['A1'].pk}/")
    assert pupils.status_code == 200 and d.r.students["s1"].person.name in pupils.content.decode()
    export = client.get(f"/learning/reports/assignments/{d.exam.pk}/schools/{d.r.schools['A'].pk}/export.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert School.objects.count() >= 3


def test_the_summary_is_on_the_pupils_and_guardians_spaces_through_the_core_hook(d):
    from zhijiao.core.space_panels import SpaceContext, space_panels

    s1 = d.r.students["s1"]
    child = SpaceContext(kind="guardian", student_id=s1.pk, class_id=s1.school_class_id)
    [panel] = [p for p in space_panels(d.account("parent"), child) if p.key == "learning"]
    assert panel.title == f"{s1.person.name}的作业与学习情况"
    assert (panel.items[0].title, panel.items[0].badge) == ("东西湖区八年级数学期中", "优秀")
    assert panel.more_url == f"/learning/reports/child/{s1.pk}/"
    assert not [p for p in space_panels(d.account("teacher"), child) if p.key == "learning"]
    other = SpaceContext(kind="guardian", student_id=d.r.students["s3"].pk)
    assert not [p for p in space_panels(d.account("parent"), other) if p.key == "learning"]
    own = SpaceContext(kind="pupil", student_id=s1.pk)
    [mine] = [p for p in space_panels(d.account("student"), own) if p.key == "learning"]
    assert mine.more_url == "/learning/my/homework/"


def test_kept_aggregates_are_dropped_when_marks_change(d):
    from zhijiao.learning.signals import marks_changed

    bureau = d.account("bureau")
    assert ra.district_report(actor=bureau, assignment_id=d.exam.pk).total.mean == 5.6
    Submission.objects.filter(assignment=d.exam, score__isnull=False).update(score=Decimal(10))
    assert ra.district_report(actor=bureau, assignment_id=d.exam.pk).total.mean == 5.6  # kept
    marks_changed.send(sender="learning", assignment_id=d.exam.pk)
    assert ra.district_report(actor=bureau, assignment_id=d.exam.pk).total.mean == 10.0

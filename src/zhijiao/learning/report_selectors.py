"""Reads of the 学情 reports: a class's report for one assignment (the summary the refit job stored, plus names), a
pupil's report (strengths, weak points, the term's trend, scores) and "为什么是这个数" (the answers that moved one
mastery figure). Pages read these, never a model fit.

Who sees what (decided with ``zhijiao.access``): a class report — the teachers of the class this term, its 班主任 and
the school's 学校管理员; a pupil report and its explanations — the pupil, the teachers and 班主任 of the pupil's class
and the school's 学校管理员. Guardians (their own view is the guardian page), 教研员 and bureaus (aggregates only) get
404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.codes import code_name
from zhijiao.core.errors import NotFound
from zhijiao.curriculum.models import KnowledgePoint
from zhijiao.learning.diagnosis.cdm import Responses
from zhijiao.learning.diagnosis.explain import answer_contributions
from zhijiao.learning.models import (
    Answer,
    Assignment,
    AssignmentKind,
    ClassReport,
    DiagnosisFit,
    Mastery,
    MasteryChange,
    MasteryModel,
    PaperItem,
    Submission,
)
from zhijiao.learning.refit import bkt_step
from zhijiao.org.models import SchoolClass
from zhijiao.people.models import Student

# who has the 学情报告 entry (the menu shows it to the same roles)
INDEX_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.SCHOOL_ADMIN, Role.HEAD_TEACHER, Role.TEACHER, Role.STUDENT})
STRONG = 0.8  # mastery at or above: a strength
WEAK = 0.5  # mastery below: a weak point
UNSURE = 0.4  # an estimate with a posterior sd at or above this is hatched (too few answers to be sure)


def may_read_class(actor: Actor, school_class: SchoolClass) -> bool:
    scope = scope_for(actor)
    return scope.is_platform_admin or (
        scope.leads_class(school_class.pk) or school_class.school_id in scope.school_ids(Role.SCHOOL_ADMIN)
    )


def may_read_pupil(actor: Actor, student: Student) -> bool:
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return True
    if scope.has(Role.STUDENT) and student.person_id == scope.person_id:
        return True
    if student.school_class_id is not None and scope.leads_class(student.school_class_id):
        return True
    return student.school_id in scope.school_ids(Role.SCHOOL_ADMIN)


@dataclass
class ReportIndex:
    own_student_id: int | None  # a pupil: their own report
    classes: list[dict[str, Any]]  # the classes whose reports the account reads, with their latest report


def report_index(*, actor: Actor) -> ReportIndex:
    """The 学情报告 entry: the classes the account teaches or heads this term, and for a 学校管理员 the school's
    classes that have a report; a pupil is sent to their own report."""
    scope = scope_for(actor)
    if not scope.has_any(INDEX_ROLES):
        raise NotFound()
    own = None
    if scope.has(Role.STUDENT) and scope.person_id:
        own = Student.objects.filter(person_id=scope.person_id).values_list("pk", flat=True).first()
    classes = SchoolClass.objects.select_related("school")
    if not scope.is_platform_admin:
        admin_schools = scope.school_ids(Role.SCHOOL_ADMIN)
        led = scope.led_class_ids()
        if not admin_schools and not led:
            return ReportIndex(own, [])
        classes = classes.filter(pk__in=led) | classes.filter(
            school_id__in=admin_schools, pk__in=ClassReport.objects.values("school_class_id")
        )
    rows = list(classes.distinct().order_by("school__name", "name", "pk")[:300])
    latest: dict[int, ClassReport] = {}
    for r in (
        ClassReport.objects.filter(school_class__in=[c.pk for c in rows])
        .defer("data")
        .select_related("assignment")
        .order_by("school_class_id", "-assignment__opens_at", "-pk")
    ):
        latest.setdefault(r.school_class_id, r)
    return ReportIndex(
        own,
        [{"class": c, "latest": latest[c.pk].assignment if c.pk in latest else None} for c in rows],
    )


def _names(student_ids: list[int]) -> dict[int, str]:
    return dict(Student.objects.filter(pk__in=student_ids).values_list("pk", "person__name"))


def _point_names(ids: list[int]) -> dict[int, str]:
    return dict(KnowledgePoint.objects.filter(pk__in=ids).values_list("pk", "name"))


def level(value: float | None) -> int:
    """The heatmap's colour step, 0 (not mastered) … 4 (mastered); -1 no estimate."""
    if value is None:
        return -1
    return min(int(value * 5), 4)


@dataclass
class ClassReportPage:
    school_class: SchoolClass
    assignments: list[Assignment]
    assignment: Assignment | None
    data: dict[str, Any] = field(default_factory=dict)
    points: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    reteach: list[dict[str, Any]] = field(default_factory=list)
    compare: Assignment | None = None
    moved: list[dict[str, Any]] = field(default_factory=list)
    pending: bool = False


def class_report(
    *, actor: Actor, class_id: int, assignment_id: int | None = None, compare_id: int | None = None
) -> ClassReportPage:
    school_class = SchoolClass.objects.select_related("school", "grade").filter(pk=class_id).first()
    if school_class is None or not may_read_class(actor, school_class):
        raise NotFound()
    reports = {
        r.assignment_id: r
        for r in ClassReport.objects.filter(school_class=school_class).defer("data").select_related("assignment")
    }
    assignments = sorted((r.assignment for r in reports.values()), key=lambda a: (a.opens_at, a.pk), reverse=True)
    if assignment_id is None and assignments:
        assignment_id = assignments[0].pk
    report = reports.get(assignment_id) if assignment_id else None
    if assignment_id and report is None:
        # the class's assignment with no report yet (the refit is queued): say so, never fit here
        assignment = Assignment.objects.filter(pk=assignment_id, classes=school_class).first()
        if assignment is None:
            raise NotFound()
        return ClassReportPage(school_class, assignments, assignment, pending=True)
    page = ClassReportPage(school_class, assignments, report.assignment if report else None)
    if report is None:
        return page
    data = page.data = ClassReport.objects.values_list("data", flat=True).get(pk=report.pk)
    names = _names([h["student"] for h in data["heat"]])
    kp_names = _point_names(data["kps"])
    page.points = [{"id": k, "name": kp_names.get(k, "")} for k in data["kps"]]
    for h in data["heat"]:
        name = names.get(h["student"], "")
        cells = []
        for k, cell in zip(data["kps"], h["cells"], strict=True):
            if cell is None:
                cells.append({"kp": k, "value": None, "level": -1, "title": f"{name}：本次未考查"})
                continue
            pct, sd = round(cell[0] * 100), round(cell[1] * 100)
            cells.append(
                {
                    "kp": k,
                    "value": cell[0],
                    "sd": cell[1],
                    "level": level(cell[0]),
                    "pct": pct,
                    "unsure": cell[1] >= UNSURE,
                    "title": f"{name} · {kp_names.get(k, '')}：掌握度 {pct}%（不确定度 ±{sd}）",
                }
            )
        page.rows.append({"student": h["student"], "name": name, "total": h["total"], "cells": cells})
    page.groups = [{**g, "names": [names.get(s, "") for s in g["students"]]} for g in data["groups"]]
    page.reteach = [
        {**p, "name": kp_names.get(p["kp"], ""), "pct": round((p["mean"] or 0) * 100)} for p in data["reteach"]
    ]
    for item in data["items"]:
        item["kp_names"] = "、".join(kp_names.get(k, "") for k in item["kps"])
    if compare_id and compare_id != report.assignment_id and compare_id in reports:
        page.compare = reports[compare_id].assignment
        page.moved = _moved(data, page.compare, report.assignment, kp_names)
    return page


def _moved(data: dict[str, Any], earlier: Assignment, later: Assignment, kp_names: dict[int, str]) -> list[dict]:
    """Per knowledge point of the later assignment: the class's mean mastery after the earlier one and after the later
    one (pupils with both), and how many pupils rose or fell by 10 points or more."""
    students = [h["student"] for h in data["heat"]]
    after: dict[tuple[int, int, int], float] = {}
    for a_id, sid, kp, value in MasteryChange.objects.filter(
        assignment_id__in=[earlier.pk, later.pk], student_id__in=students
    ).values_list("assignment_id", "student_id", "knowledge_point_id", "after"):
        after[(a_id, sid, kp)] = value
    out = []
    for kp in data["kps"]:
        pairs = [
            (after[(earlier.pk, s, kp)], after[(later.pk, s, kp)])
            for s in students
            if (earlier.pk, s, kp) in after and (later.pk, s, kp) in after
        ]
        if not pairs:
            continue
        b = float(np.mean([p[0] for p in pairs]))
        a = float(np.mean([p[1] for p in pairs]))
        out.append(
            {
                "kp": kp,
                "name": kp_names.get(kp, ""),
                "before": round(b * 100),
                "after": round(a * 100),
                "delta": round((a - b) * 100),
                "up": sum(1 for p in pairs if p[1] - p[0] >= 0.1),
                "down": sum(1 for p in pairs if p[0] - p[1] >= 0.1),
                "n": len(pairs),
            }
        )
    return out


def class_report_rows(page: ClassReportPage) -> tuple[list[str], list[list[str]]]:
    """The heatmap as a table for the xlsx export: name, total, then each point's mastery (percent) ± sd."""
    header = ["姓名", "总分", *[f"{p['name']}（掌握度%）" for p in page.points]]
    rows = []
    for r in page.rows:
        cells = [
            "" if c["value"] is None else f"{round(c['value'] * 100)} ± {round(c['sd'] * 100)}" for c in r["cells"]
        ]
        rows.append([r["name"], "" if r["total"] is None else f"{r['total']:g}", *cells])
    return header, rows


# ------------------------------------------------------------------------------------------------ the pupil


@dataclass
class PupilReport:
    student: Student
    name: str
    strengths: list[dict[str, Any]]
    weak: list[dict[str, Any]]
    points: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    leads: bool  # a teacher's view (links to the class report)


def _pupil(actor: Actor, student_id: int) -> Student:
    student = Student.objects.select_related("person", "school", "school_class").filter(pk=student_id).first()
    if student is None or not may_read_pupil(actor, student):
        raise NotFound()
    return student


def pupil_report(*, actor: Actor, student_id: int) -> PupilReport:
    student = _pupil(actor, student_id)
    rows = list(
        Mastery.objects.filter(student=student)
        .select_related("knowledge_point")
        .order_by("subject", "-estimate", "knowledge_point__code")
    )
    points: list[dict[str, Any]] = [
        {
            "kp": m.knowledge_point_id,
            "name": m.knowledge_point.name,
            "subject": code_name("subject", m.subject).split("（")[0],
            "pct": round(m.estimate * 100),
            "sd": round(m.uncertainty * 100),
            "level": level(m.estimate),
            "evidence": m.evidence,
        }
        for m in rows
    ]
    strengths = [p for p, m in zip(points, rows, strict=True) if m.estimate >= STRONG]
    weak = sorted((p for p, m in zip(points, rows, strict=True) if m.estimate < WEAK), key=lambda p: p["pct"])
    # the term's trend: the mean mastery after each assignment over the points it moved
    by_assignment: dict[int, list[float]] = defaultdict(list)
    titles: dict[int, tuple[Any, str]] = {}
    for change in MasteryChange.objects.filter(student=student, assignment__isnull=False).select_related("assignment"):
        if change.assignment is None:
            continue
        by_assignment[change.assignment.pk].append(change.after)
        titles[change.assignment.pk] = (change.at, change.assignment.title)
    trend = [
        {"title": titles[a][1], "at": titles[a][0], "pct": round(float(np.mean(v)) * 100), "points": len(v)}
        for a, v in sorted(by_assignment.items(), key=lambda kv: titles[kv[0]][0])
    ]
    scores = [
        {
            "title": s.assignment.title,
            "kind": AssignmentKind(s.assignment.kind).label,
            "at": s.assignment.opens_at,
            "score": s.score,
            "max": s.max_score,
            "pct": round(float(s.score) / float(s.max_score) * 100) if s.score is not None and s.max_score else None,
            "assignment": s.assignment_id,
            "class": s.school_class_id,
        }
        for s in Submission.objects.filter(student=student)
        .select_related("assignment")
        .order_by("assignment__opens_at")
    ]
    leads = student.school_class is not None and may_read_class(actor, student.school_class)
    return PupilReport(student, student.person.name, strengths, weak, points, trend, scores, leads)


@dataclass
class Step:
    assignment: Assignment
    model: str
    before: int | None
    after: int
    sd: int
    answers: list[dict[str, Any]]


@dataclass
class Explanation:
    student: Student
    name: str
    point: KnowledgePoint
    current: Mastery | None
    steps: list[Step]


def _answers(submission_id: int) -> list[tuple[PaperItem, Answer]]:
    rows = Answer.objects.filter(submission_id=submission_id, score__isnull=False).select_related("entry")
    return [(a.entry, a) for a in rows]


def _entry_numbers(paper_id: int) -> dict[int, int]:
    ids = PaperItem.objects.filter(paper_id=paper_id).order_by("order", "pk").values_list("pk", flat=True)
    return {pk: n for n, pk in enumerate(ids, start=1)}


def _cdm_answers(change: MasteryChange, sub: Submission, numbers: dict[int, int]) -> list[dict[str, Any]]:
    fit = DiagnosisFit.objects.filter(assignment=change.assignment).first()
    if fit is None or not fit.params:
        return []
    from zhijiao.learning.refit import cdm_for_point

    found = cdm_for_point(fit.params, change.knowledge_point_id)
    if found is None:
        return []
    model, k = found
    index = {pk: i for i, pk in enumerate(fit.params["entries"])}
    rows = [(e, a) for e, a in _answers(sub.pk) if e.pk in index]
    if not rows:
        return []
    data = Responses(
        np.zeros(len(rows), dtype=int),
        np.array([index[e.pk] for e, _ in rows]),
        np.array([min(max(float(a.score or 0) / float(e.points), 0.0), 1.0) for e, a in rows]),
        1,
        len(index),
    )
    _, _, delta = answer_contributions(model, data, 0)
    out: list[dict[str, Any]] = []
    for j, (e, a) in enumerate(rows):
        d = round(float(delta[j, k]) * 100)
        if d == 0:
            continue
        out.append({"n": numbers.get(e.pk), "score": a.score, "points": e.points, "delta": d})
    out.sort(key=lambda r: -abs(r["delta"]))
    return out


def _kt_answers(change: MasteryChange, sub: Submission, numbers: dict[int, int]) -> list[dict[str, Any]]:
    from zhijiao.learning.refit import PRIOR

    assert change.assignment is not None
    on_point = set(
        PaperItem.objects.filter(
            paper_id=change.assignment.paper_id, item__knowledge_points=change.knowledge_point_id
        ).values_list("pk", flat=True)
    )
    p = PRIOR if change.before is None else change.before
    out = []
    for e, a in sorted(_answers(sub.pk), key=lambda ea: (ea[0].order, ea[0].pk)):
        if e.pk not in on_point:
            continue
        nxt = bkt_step(p, min(max(float(a.score or 0) / float(e.points), 0.0), 1.0))
        out.append({"n": numbers.get(e.pk), "score": a.score, "points": e.points, "delta": round((nxt - p) * 100)})
        p = nxt
    return out


def explanation(*, actor: Actor, student_id: int, point_id: int) -> Explanation:
    student = _pupil(actor, student_id)
    point = KnowledgePoint.objects.filter(pk=point_id).first()
    if point is None:
        raise NotFound()
    current = Mastery.objects.filter(student=student, knowledge_point=point).first()
    steps = []
    changes = MasteryChange.objects.filter(student=student, knowledge_point=point, assignment__isnull=False)
    for change in changes.select_related("assignment").order_by("at", "pk"):
        assignment = change.assignment
        assert assignment is not None
        sub = Submission.objects.filter(assignment=assignment, student=student).first()
        answers: list[dict[str, Any]] = []
        if sub is not None:
            numbers = _entry_numbers(assignment.paper_id)
            if change.model == MasteryModel.CDM:
                answers = _cdm_answers(change, sub, numbers)
            else:
                answers = _kt_answers(change, sub, numbers)
        steps.append(
            Step(
                assignment=assignment,
                model=change.model,
                before=None if change.before is None else round(change.before * 100),
                after=round(change.after * 100),
                sd=round(change.uncertainty * 100),
                answers=answers,
            )
        )
    if current is None and not steps:
        raise NotFound()
    return Explanation(student, student.person.name, point, current, steps)

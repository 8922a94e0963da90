"""Reads of the 体质健康 pages (decision 0049-fitness-pages): a school's test rounds, a class's results, a
school's and a district's figures, a pupil's own results, the national upload export. Out of scope is NotFound.

Who reads what: the school's test rounds and their figures (no names) — its 学校管理员, a bureau above it, the
teachers of the school (the 体育教师 runs the test); a class's results with names — the class's teachers and
班主任 and the school's 学校管理员; a district's figures per school — its 区域管理员 and 督导 (no names); a pupil's
results — the pupil, the guardians, the class's teachers, the 学校管理员.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.growth.fitness import standard_load
from zhijiao.growth.models import FitnessResult, FitnessSession
from zhijiao.growth.services import fitness_school
from zhijiao.growth.who import Relation, relations
from zhijiao.org.models import School, SchoolClass, Term
from zhijiao.org.selectors import class_display_name
from zhijiao.people.models import Student

LEVELS = ("优秀", "良好", "及格", "不及格")
BUREAU_ROLES = (Role.REGION_ADMIN, Role.INSPECTOR)


def _pct(part: int, whole: int) -> float:
    return (part * 1000 + whole // 2) // whole / 10 if whole else 0.0


@dataclass(frozen=True)
class Figures:
    """人数, the four levels with their rates (percent, one decimal, half up), 肥胖率 and the mean 学年总分."""

    pupils: int
    levels: dict[str, int]
    rates: dict[str, float]
    obese: int
    obesity_rate: float
    passed_rate: float  # 及格及以上 (优秀 + 良好 + 及格)
    mean_total: float | None


def figures(rows: QuerySet[FitnessResult]) -> Figures:
    agg = rows.aggregate(
        n=Count("id"),
        obese=Count("id", filter=Q(bmi_class="肥胖")),
        mean=Avg("total_score"),
        **{f"l{i}": Count("id", filter=Q(level=level)) for i, level in enumerate(LEVELS)},
    )
    n = agg["n"]
    levels = {level: agg[f"l{i}"] for i, level in enumerate(LEVELS)}
    mean = agg["mean"]
    return Figures(
        pupils=n,
        levels=levels,
        rates={level: _pct(count, n) for level, count in levels.items()},
        obese=agg["obese"],
        obesity_rate=_pct(agg["obese"], n),
        passed_rate=_pct(n - levels["不及格"], n),
        mean_total=None if mean is None else float(Decimal(str(mean)).quantize(Decimal("0.1"), ROUND_HALF_UP)),
    )


def fitness_schools(*, actor: Actor) -> list[School]:
    """The schools whose test rounds the account runs (学校管理员, bureau above, teachers of the school)."""
    scope = scope_for(actor)
    q = scope.managed_schools_q() | Q(pk__in=scope.school_ids(Role.TEACHER, Role.HEAD_TEACHER))
    if (
        not scope.is_platform_admin
        and not scope.divisions(Role.REGION_ADMIN)
        and not scope.school_ids(Role.SCHOOL_ADMIN, Role.TEACHER, Role.HEAD_TEACHER)
    ):
        return []
    return list(School.objects.filter(q).order_by("name")[:200])


def sessions_of(*, actor: Actor, school_id: int) -> list[FitnessSession]:
    school = fitness_school(actor, school_id)
    return list(
        FitnessSession.objects.filter(school=school)
        .select_related("term", "school")
        .annotate(n=Count("results"))
        .order_by("-term__starts_on", "-created_at")
    )


@dataclass(frozen=True)
class SessionPage:
    session: FitnessSession
    total: Figures
    classes: list[dict[str, Any]]  # cls, label, figures, names (may open the class's results)
    may_names: bool


def session_get(*, actor: Actor, session_id: int) -> SessionPage:
    session = FitnessSession.objects.select_related("school", "term").filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    fitness_school(actor, session.school_id)
    scope = scope_for(actor)
    admin = session.school_id in scope.school_ids(Role.SCHOOL_ADMIN)
    results = session.results.all()
    class_ids = sorted(set(results.exclude(school_class=None).values_list("school_class_id", flat=True)))
    rows: list[dict[str, Any]] = []
    for cls in SchoolClass.objects.filter(pk__in=class_ids).select_related("grade", "school"):
        rows.append(
            {
                "cls": cls,
                "label": class_display_name(cls),
                "figures": figures(results.filter(school_class=cls)),
                "names": admin or scope.leads_class(cls.pk),
            }
        )
    rows.sort(key=lambda r: (-r["cls"].grade.entry_year, r["cls"].grade.stage, r["cls"].number))
    return SessionPage(session, figures(results), rows, admin)


@dataclass(frozen=True)
class ClassResults:
    session: FitnessSession
    school_class: SchoolClass
    label: str
    figures: Figures
    rows: list[FitnessResult]
    items: list[tuple[str, str]]  # (code, name) of the items any pupil of the class was tested in


def class_results(*, actor: Actor, session_id: int, class_id: int) -> ClassResults:
    """A class's results with names: the class's teachers and 班主任 and the school's 学校管理员 only."""
    scope = scope_for(actor)
    cls = SchoolClass.objects.select_related("school", "grade").filter(pk=class_id).first()
    if cls is None or not (scope.leads_class(cls.pk) or cls.school_id in scope.school_ids(Role.SCHOOL_ADMIN)):
        raise NotFound()
    session = FitnessSession.objects.select_related("school", "term").filter(pk=session_id, school=cls.school).first()
    if session is None:
        raise NotFound()
    results = session.results.filter(school_class=cls)
    rows = list(results.select_related("student__person").order_by("student__person__name"))
    std = standard_load()
    tested = {code for r in rows for code in r.scores}
    items = [(code, std.name(code)) for code in std.items if code in tested and code != "bmi"]
    return ClassResults(session, cls, class_display_name(cls), figures(results), rows, items)


@dataclass(frozen=True)
class DistrictReport:
    terms: list[Term]
    term: Term | None
    schools: list[dict[str, Any]]  # school, figures
    total: Figures | None


def district_report(*, actor: Actor, term_id: int | None = None) -> DistrictReport:
    """The figures of every school under the account's bureau grants (区域管理员, 督导), one term (each school's
    latest round of it); no names."""
    scope = scope_for(actor)
    divisions = scope.divisions(*BUREAU_ROLES)
    if not divisions and not scope.is_platform_admin:
        raise NotFound()
    q = Q()
    if not scope.is_platform_admin:
        q = Q(pk__in=[])
        for code in divisions:
            q |= Q(school__division__code__startswith=code)
    sessions = FitnessSession.objects.filter(q)
    terms = list(Term.objects.filter(pk__in=sessions.values("term_id")).order_by("-starts_on"))
    term = next((t for t in terms if t.pk == term_id), terms[0] if terms else None)
    if term is None:
        return DistrictReport(terms, None, [], None)
    # one round per school: its latest of the term with results (a 补测 or a second round must not count twice)
    latest: dict[int, int] = {}
    for session_id, school_id in (
        sessions.filter(term=term, results__isnull=False).order_by("-created_at", "-pk").values_list("pk", "school_id")
    ):
        latest.setdefault(school_id, session_id)
    results = FitnessResult.objects.filter(session_id__in=latest.values())
    by_school = []
    for school in School.objects.filter(pk__in=latest).order_by("name"):
        by_school.append({"school": school, "figures": figures(results.filter(session_id=latest[school.pk]))})
    return DistrictReport(terms, term, by_school, figures(results))


PUPIL_RELATIONS = {Relation.SELF, Relation.GUARDIAN, Relation.HEAD, Relation.TEACHER}


@dataclass(frozen=True)
class PupilResults:
    student: Student
    rows: list[FitnessResult]
    items: list[tuple[str, str]]


def pupil_results(*, actor: Actor, student_id: int) -> PupilResults:
    """A pupil's results over the sessions, oldest first: the pupil, guardians, the class's teachers, the school's
    学校管理员 (not a bureau, not a classmate's guardian)."""
    student = Student.objects.select_related("person", "school", "school_class").filter(pk=student_id).first()
    if student is None:
        raise NotFound()
    found = relations(actor, student)
    if not (found & PUPIL_RELATIONS or student.school_id in scope_for(actor).school_ids(Role.SCHOOL_ADMIN)):
        raise NotFound()
    rows = list(
        FitnessResult.objects.filter(student=student)
        .select_related("session__term")
        .order_by("session__term__starts_on", "session__created_at")
    )
    std = standard_load()
    tested = {code for r in rows for code in r.scores}
    items = [(code, std.name(code)) for code in std.items if code in tested and code != "bmi"]
    return PupilResults(student, rows, items)


# ------------------------------------------------------------------ the national upload layout
# 国家学生体质健康标准数据上报: one row per pupil, these columns in this order (docs/growth.md, 体质健康页面).
NATIONAL_COLUMNS = [
    "年级编号", "班级编号", "班级名称", "学籍号", "民族代码", "姓名", "性别", "出生日期", "家庭住址",
    "身高", "体重", "肺活量", "50米跑", "坐位体前屈", "一分钟跳绳", "一分钟仰卧起坐", "50米×8往返跑",
    "立定跳远", "引体向上", "800米跑", "1000米跑",
]  # fmt: skip
NATIONAL_ITEMS = [
    ("height", "身高"), ("weight", "体重"), ("vital_capacity", "肺活量"), ("run_50m", "50米跑"),
    ("sit_reach", "坐位体前屈"), ("rope_1min", "一分钟跳绳"), ("sit_up", "一分钟仰卧起坐"),
    ("shuttle_50x8", "50米×8往返跑"), ("long_jump", "立定跳远"), ("pull_up", "引体向上"),
    ("run_800", "800米跑"), ("run_1000", "1000米跑"),
]  # fmt: skip
LONG_RUNS = {"shuttle_50x8", "run_800", "run_1000"}


def grade_code(grade: int) -> int:
    """The national 年级编号: 小学 11–16, 初中 21–23, 高中 31–33."""
    if grade <= 6:
        return 10 + grade
    if grade <= 9:
        return 20 + grade - 6
    return 30 + grade - 9


def _value(code: str, value: Any) -> Any:
    if value in (None, ""):
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if code in LONG_RUNS:  # 分'秒", as the device exports and the upload template write long runs
        minutes, seconds = divmod(round(number), 60)
        return f"{minutes}'{seconds:02d}\""
    return int(number) if number.is_integer() else number


def session_export(*, actor: Actor, session_id: int) -> tuple[FitnessSession, bytes]:
    """The session in the national upload layout (.xlsx): the school's 学校管理员 and teachers, a bureau above."""
    session = FitnessSession.objects.select_related("school", "term").filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    fitness_school(actor, session.school_id)
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "体质健康数据"
    sheet.append(NATIONAL_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    results = session.results.select_related("student__person", "school_class__grade").order_by(
        "grade", "school_class__number", "student__student_no"
    )
    for r in results:
        person = r.student.person
        cls = r.school_class
        row: list[Any] = [
            grade_code(r.grade),
            cls.number if cls else "",
            class_display_name(cls) if cls else "",
            r.student.student_no,
            person.ethnicity or "",
            person.name,
            1 if r.sex == "男" else 2,
            person.birth_date.strftime("%Y%m%d") if person.birth_date else "",
            "",  # 家庭住址: not kept by the platform (the national system takes it blank)
        ]
        row += [_value(code, r.measurements.get(code)) for code, _ in NATIONAL_ITEMS]
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return session, out.getvalue()

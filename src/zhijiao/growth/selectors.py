"""Reads of the growth app, scoped by the access layer: out of scope is NotFound."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.core.masking import mask_name
from zhijiao.growth.models import (
    FitnessResult,
    FitnessSession,
    GraduationArchive,
    GrowthRecord,
    GrowthVersion,
    Level,
    Objection,
    ObjectionStatus,
    RecordEvidence,
    RecordStatus,
    ReviewState,
    Selection,
    StatementKind,
    TermLevel,
    TermReview,
    TermStatement,
)
from zhijiao.growth.process import publicity_open, review_missing
from zhijiao.growth.records import class_pupils, dimensions_for, framework_of
from zhijiao.growth.who import CLASS_LEADERS, FULL, Relation, class_relations, relations
from zhijiao.org.models import SchoolClass
from zhijiao.people.models import Student

# who reads a class's fitness figures through a school or division grant (class-granted teachers read their own)
REPORT_ROLES = frozenset({Role.REGION_ADMIN, Role.INSPECTOR, Role.SCHOOL_ADMIN, Role.TEACHER, Role.HEAD_TEACHER})


def _tenth_half_up(part: int, whole: int) -> float:
    return (part * 1000 + whole // 2) // whole / 10 if whole else 0.0


@dataclass(frozen=True)
class ClassFitnessReport:
    """One class in one test round: 人数, the four levels, 优良率, 及格率, 肥胖率 (percent, one decimal)."""

    class_id: int
    session_id: int
    pupils: int
    levels: dict[str, int]
    excellent_good_rate: float
    pass_rate: float
    obesity_rate: float
    mean_total: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "class_id": self.class_id, "session_id": self.session_id, "人数": self.pupils, **self.levels,
            "优良率%": self.excellent_good_rate, "及格率%": self.pass_rate, "肥胖率%": self.obesity_rate,
            "平均学年总分": self.mean_total,
        }  # fmt: skip


def fitness_class_report(*, actor: Actor, session_id: int, class_id: int) -> ClassFitnessReport:
    """The class's figures in a session; the class must be in the actor's scope (teachers of it, its school, the
    bureaus above), else NotFound — so are a session and class of different schools."""
    scope = scope_for(actor)
    school_class = SchoolClass.objects.select_related("school").filter(scope.classes_q(), pk=class_id).first()
    # classes_q also holds a pupil's and a parent's own class: class figures are for its teachers and above
    if school_class is None or not (
        school_class.pk in scope.class_ids(Role.HEAD_TEACHER, Role.TEACHER)
        or scope.covers(
            division_code=school_class.school.division_id, school_code=school_class.school.code, roles=REPORT_ROLES
        )
    ):
        raise NotFound()
    session = FitnessSession.objects.filter(pk=session_id, school_id=school_class.school_id).first()
    if session is None:
        raise NotFound()
    rows = session.results.filter(school_class=school_class)
    agg = rows.aggregate(
        n=Count("id"),
        excellent=Count("id", filter=Q(level="优秀")),
        good=Count("id", filter=Q(level="良好")),
        passed=Count("id", filter=Q(level="及格")),
        failed=Count("id", filter=Q(level="不及格")),
        obese=Count("id", filter=Q(bmi_class="肥胖")),
        mean=Avg("total_score"),
    )
    n = agg["n"]
    mean = agg["mean"]
    return ClassFitnessReport(
        class_id=school_class.pk,
        session_id=session.pk,
        pupils=n,
        levels={"优秀": agg["excellent"], "良好": agg["good"], "及格": agg["passed"], "不及格": agg["failed"]},
        excellent_good_rate=_tenth_half_up(agg["excellent"] + agg["good"], n),
        pass_rate=_tenth_half_up(n - agg["failed"], n),
        obesity_rate=_tenth_half_up(agg["obese"], n),
        mean_total=None if mean is None else float(Decimal(str(mean)).quantize(Decimal("0.1"), ROUND_HALF_UP)),
    )


# ------------------------------------------------------------------------------ 综合素质评价: records and process


def _pupil(student_id: int) -> Student:
    student = (
        Student.objects.select_related("person", "school", "school_class__grade", "school_class__school")
        .filter(pk=student_id)
        .first()
    )
    if student is None:
        raise NotFound()
    return student


def visible_records_q(actor: Actor, student: Student, found: set[Relation], today: dt.date | None = None) -> Q:
    """Which of the pupil's records the account sees (``who`` has the rules)."""
    if found & FULL:
        return Q()
    q = NOTHING_Q
    published = Q(
        selections__review__state__in=[ReviewState.PUBLISHED, ReviewState.AUDITED, ReviewState.ARCHIVED],
        selections__review__school_class_id=student.school_class_id,
        status=RecordStatus.ACTIVE,
    )
    if Relation.TEACHER in found:
        q |= Q(author_id=actor.pk) | published
    if Relation.CLASSMATE_GUARDIAN in found:
        day = today or timezone.localdate()
        q |= Q(
            selections__review__state=ReviewState.PUBLISHED,
            selections__review__school_class_id=student.school_class_id,
            selections__review__published_on__lte=day,
            selections__review__publicity_ends_on__gte=day,
            status=RecordStatus.ACTIVE,
        )
    return q


NOTHING_Q = Q(pk__in=[])


@dataclass
class DimensionBlock:
    code: str
    name: str
    records: list[GrowthRecord]
    level: str = ""
    level_label: str = ""


@dataclass
class Portrait:
    student: Student
    relations: set[Relation]
    framework: str
    dimensions: list[DimensionBlock]
    review: TermReview | None
    selected_ids: set[int]
    statements: dict[str, str]
    fitness: list[FitnessResult]
    archive: GraduationArchive | None
    pending_objections: int = 0
    history: list[TermReview] = dc_field(default_factory=list)

    @property
    def full(self) -> bool:
        return bool(self.relations & FULL)

    @property
    def is_self(self) -> bool:
        return Relation.SELF in self.relations

    @property
    def may_add_home(self) -> bool:
        return Relation.GUARDIAN in self.relations and self.archive is None

    @property
    def may_record(self) -> bool:
        return bool(self.relations & {Relation.SELF, Relation.GUARDIAN, Relation.HEAD, Relation.TEACHER,
                                       Relation.SCHOOL}) and self.archive is None  # fmt: skip

    @property
    def may_select(self) -> bool:
        return (
            bool(self.relations & {Relation.SELF, Relation.HEAD})
            and self.review is not None
            and self.review.state == ReviewState.SELECTING
            and self.archive is None
        )


def portrait_get(*, actor: Actor, student_id: int, today: dt.date | None = None) -> Portrait:
    """One pupil's page: records by dimension (what the account may see), the current term's levels, statements and
    process status, fitness results (not for a classmate's guardian), the graduation archive."""
    student = _pupil(student_id)
    found = relations(actor, student)
    if not found:
        raise NotFound()
    if found == {Relation.CLASSMATE_GUARDIAN}:
        # a classmate's guardian sees a pupil only while the class's selections are published
        review = _current_review(student)
        if review is None or not publicity_open(review, today):
            raise NotFound()
    framework = framework_of(student.school_class)
    records = list(
        GrowthRecord.objects.filter(visible_records_q(actor, student, found, today), student=student)
        .exclude(status=RecordStatus.WITHDRAWN if not found & FULL else "-")
        .select_related("term")
        .prefetch_related("evidence")
        .distinct()
        .order_by("-occurred_on", "-pk")
    )
    review = _current_review(student)
    levels: dict[str, str] = {}
    statements: dict[str, str] = {}
    selected: set[int] = set()
    pending = 0
    if review is not None:
        selected = set(
            Selection.objects.filter(review=review, record__student=student).values_list("record_id", flat=True)
        )
        # levels and 教师评语 are the school's until audited; then the pupil, guardians and teachers read them
        final = review.state in (ReviewState.AUDITED, ReviewState.ARCHIVED)
        texts = dict(TermStatement.objects.filter(review=review, student=student).values_list("kind", "text"))
        if found & CLASS_LEADERS or (final and found & (FULL | {Relation.TEACHER})):
            levels = dict(TermLevel.objects.filter(review=review, student=student).values_list("dimension", "level"))
            statements = texts
        elif found & FULL:
            statements = {k: v for k, v in texts.items() if k == StatementKind.SELF}
        if found & (FULL | {Relation.TEACHER}):
            pending = Objection.objects.filter(
                review=review, record__student=student, status=ObjectionStatus.PENDING
            ).count()
    labels = dict(Level.choices)
    blocks = [
        DimensionBlock(
            code,
            name,
            [r for r in records if r.dimension == code],
            levels.get(code, ""),
            labels.get(levels.get(code, ""), ""),
        )
        for code, name in dimensions_for(framework)
    ]
    fitness: list[FitnessResult] = []
    if found - {Relation.CLASSMATE_GUARDIAN}:
        fitness = list(
            FitnessResult.objects.filter(student=student).select_related("session__term").order_by("-session_id")[:4]
        )
    history = list(TermReview.objects.filter(levels__student=student).select_related("term", "school_class").distinct())
    archive = GraduationArchive.objects.filter(student=student).first()
    return Portrait(student, found, framework, blocks, review, selected, statements, fitness, archive, pending, history)


def _current_review(student: Student) -> TermReview | None:
    if student.school_class_id is None:
        return None
    return (
        TermReview.objects.select_related("term", "school_class")
        .filter(school_class_id=student.school_class_id, term__is_current=True)
        .first()
    )


@dataclass
class ClassReview:
    school_class: SchoolClass
    review: TermReview | None
    relations: set[Relation]
    pupils: list[dict[str, Any]]
    objections: list[Objection]
    framework: str
    dimensions: list[tuple[str, str]]
    missing: list[str]
    publicity_open: bool

    @property
    def leads(self) -> bool:
        return bool(self.relations & CLASS_LEADERS)

    @property
    def audits(self) -> bool:
        return Relation.SCHOOL in self.relations

    @property
    def may_object(self) -> bool:
        return self.publicity_open and bool(
            self.relations & {Relation.CLASSMATE_GUARDIAN, Relation.TEACHER, Relation.HEAD}
        )


def class_review_get(*, actor: Actor, class_id: int, today: dt.date | None = None) -> ClassReview:
    """A class's process page: for its leaders everything (pupils, selections, levels, objections); for its
    teachers and its pupils' guardians the published selections (guardians only while the publicity runs)."""
    school_class = SchoolClass.objects.select_related("school", "grade").filter(pk=class_id).first()
    if school_class is None:
        raise NotFound()
    found = class_relations(actor, school_class)
    if not found:
        raise NotFound()
    review = (
        TermReview.objects.select_related("term", "published_by", "audited_by", "archived_by")
        .filter(school_class=school_class, term__is_current=True)
        .first()
    )
    is_open = review is not None and publicity_open(review, today)
    leads = bool(found & CLASS_LEADERS)
    published = review is not None and review.state != ReviewState.SELECTING
    if not leads and Relation.TEACHER not in found and not is_open:
        raise NotFound()
    framework = framework_of(school_class)
    dims = dimensions_for(framework)
    pupils_rows: list[dict[str, Any]] = []
    objections: list[Objection] = []
    missing: list[str] = []
    if review is not None and (leads or published):
        pupils = class_pupils(school_class)
        selections: dict[int, list[GrowthRecord]] = {}
        q = Selection.objects.filter(review=review, record__status=RecordStatus.ACTIVE).select_related("record")
        for sel in q.order_by("record__dimension", "record__occurred_on"):
            selections.setdefault(sel.record.student_id, []).append(sel.record)
        levels: dict[int, dict[str, str]] = {}
        for sid, dim, lv in TermLevel.objects.filter(review=review).values_list("student_id", "dimension", "level"):
            levels.setdefault(sid, {})[dim] = lv
        comments = dict(
            TermStatement.objects.filter(review=review, kind=StatementKind.TEACHER_COMMENT).values_list(
                "student_id", "text"
            )
        )
        for p in pupils:
            pupils_rows.append(
                {
                    "student": p,
                    "name": p.person.name if (leads or Relation.TEACHER in found) else mask_name(p.person.name),
                    "records": selections.get(p.pk, []),
                    "levels": [levels.get(p.pk, {}).get(code, "") for code, _ in dims] if leads else [],
                    "commented": p.pk in comments,
                }
            )
        obj_q = Objection.objects.filter(review=review).select_related("record__student__person", "raised_by")
        if not leads:
            obj_q = obj_q.filter(raised_by_id=actor.pk)
        objections = list(obj_q.order_by("status", "raised_at"))
        if leads and review.state == ReviewState.PUBLISHED:
            missing = review_missing(review)
    return ClassReview(school_class, review, found, pupils_rows, objections, framework, dims, missing, is_open)


def led_classes(*, actor: Actor) -> list[SchoolClass]:
    """Classes the account teaches or heads, and its school's classes for a 学校管理员 (the growth landing page)."""
    scope = scope_for(actor)
    ids = set(scope.led_class_ids())
    q = Q(pk__in=ids)
    if scope.school_ids(Role.SCHOOL_ADMIN):
        q |= Q(school_id__in=scope.school_ids(Role.SCHOOL_ADMIN))
    return list(SchoolClass.objects.filter(q, is_active=True).select_related("school", "grade").order_by(
        "school_id", "grade__stage", "-grade__entry_year", "number")[:200])  # fmt: skip


def record_versions(*, record: GrowthRecord) -> list[GrowthVersion]:
    return list(GrowthVersion.objects.filter(entity="record", entity_id=record.pk).order_by("version"))


def evidence_get(*, actor: Actor, evidence_id: int) -> RecordEvidence:
    """An evidence file, for whoever sees its record."""
    evidence = RecordEvidence.objects.select_related("record").filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound()
    student = _pupil(evidence.record.student_id)
    found = relations(actor, student)
    if (
        not found
        or not GrowthRecord.objects.filter(visible_records_q(actor, student, found), pk=evidence.record_id).exists()
    ):
        raise NotFound()
    return evidence

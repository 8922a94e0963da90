"""Reads for the reports above the class (issue 14, item 4): a guardian's view of their own child, a school's report
and a district's report of one exam or assignment, and the pupil-facing learning summary other pages reuse.

Who sees what (decision record "rep-area-reports"):

* :func:`child_summary`: the pupil's registered guardians (家长) and the pupil themselves; anyone else NotFound;
* a school report (one assignment, one school, per class): the school's 学校管理员, a 区域管理员 at or above the
  school's district, the platform administrator, and a 教研员 of the assignment's subject whose area covers the
  school. Only the school's own 学校管理员 drills into a class's pupil list: no pupil names above the school;
* a district report (a district exam, per school): the 区域管理员 and the 教研员 of the subject whose area overlaps
  the exam's division (each at the narrower of the two), and the platform administrator. No pupil names anywhere;
* above the school, a group (school or class) with fewer than :data:`SMALL_GROUP` marked pupils is shown as
  "人数过少不显示"; when exactly one group of a table is hidden so, the next smallest is hidden too, so that the
  total does not give the small one away.

Scores: 优秀 ≥ 85 %, 及格 ≥ 60 %, 低分 < 40 % of the full marks (the usual 学业质量 cut-offs), ten score bands of
10 % each. Mastery: the mean estimate (``Mastery``) of the marked pupils of a group on each knowledge point of the
paper. Every figure comes from two aggregate queries (scores, mastery); no pupil rows are read for the aggregates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, F, Max, Min, Q, QuerySet
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.curriculum.models import KnowledgePoint
from zhijiao.learning.models import (
    Assignment,
    AssignmentStatus,
    Mastery,
    MasteryChange,
    PaperItem,
    Submission,
    SubmissionStatus,
)
from zhijiao.org.grades import grade_code
from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.org.selectors import class_display_name, current_school_year
from zhijiao.people.models import Guardianship, Student
from zhijiao.resources.recommend import resources_for_knowledge_points

SMALL_GROUP = 5  # a school or class with fewer marked pupils is not shown above the school
EXCELLENT, PASS, LOW = Decimal("0.85"), Decimal("0.60"), Decimal("0.40")
BANDS = 10
BAND_LABELS = [f"{i * 10}–{i * 10 + 10}%" if i < BANDS - 1 else "90–100%" for i in range(BANDS)]
SUPPRESSED = "人数过少不显示"
SECONDARY = "已隐藏（防止推算）"
SHOWN = (AssignmentStatus.PUBLISHED, AssignmentStatus.CLOSED)


# ------------------------------------------------------------------ who reads which report


@dataclass(frozen=True)
class SchoolAccess:
    pupils: bool  # may open a class's pupil list (the school's own 学校管理员)


def school_access(*, actor: Actor, assignment: Assignment, school: School) -> SchoolAccess:
    """How the actor reads ``school``'s report of ``assignment``; NotFound when not at all."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFound()
    scope = scope_for(actor)
    own = school.pk in scope.school_ids(Role.SCHOOL_ADMIN)
    if own or scope.governs(school.division_id) or scope.researches_subject(school.division_id, assignment.subject):
        return SchoolAccess(pupils=own)
    raise NotFound()


def district_node(*, actor: Actor, assignment: Assignment) -> str | None:
    """The division the actor reads a district exam at: the exam's own division when a grant covers it, else the
    actor's narrower division inside it; None when the actor has no district report of it."""
    if not getattr(actor, "is_authenticated", False) or assignment.school_id is not None:
        return None
    scope = scope_for(actor)
    code = assignment.division_id
    if scope.governs(code) or scope.researches_subject(code, assignment.subject):
        return code
    mine = scope.divisions(Role.REGION_ADMIN) + scope.research_divisions(assignment.subject)
    inside = sorted(d for d in mine if d.startswith(code))
    return inside[0] if inside else None


def _shown_assignments() -> QuerySet[Assignment]:
    return Assignment.objects.filter(status__in=SHOWN).select_related("division", "school", "paper")


def district_exam_list(*, actor: Actor) -> list[tuple[Assignment, str]]:
    """District exams (set by a bureau: no school) the actor has a district report of, with the division read."""
    found = []
    for a in _shown_assignments().filter(school__isnull=True).order_by("-opens_at", "-pk")[:200]:
        node = district_node(actor=actor, assignment=a)
        if node is not None:
            found.append((a, node))
    return found


def school_assignment_list(*, actor: Actor) -> list[tuple[Assignment, School]]:
    """A 学校管理员's own school's marked work (its homework and exams, and district exams its pupils sat)."""
    if not getattr(actor, "is_authenticated", False):
        return []
    schools = scope_for(actor).school_ids(Role.SCHOOL_ADMIN)
    if not schools:
        return []
    by_id = {s.pk: s for s in School.objects.filter(pk__in=schools)}
    sat = (
        Submission.objects.filter(school_class__school_id__in=schools, status=SubmissionStatus.MARKED)
        .values_list("assignment_id", "school_class__school_id")
        .distinct()
    )
    pairs: dict[int, set[int]] = defaultdict(set)
    for assignment_id, school_id in sat:
        pairs[assignment_id].add(school_id)
    rows: list[tuple[Assignment, School]] = []
    for a in _shown_assignments().filter(pk__in=list(pairs)).order_by("-opens_at", "-pk")[:200]:
        rows.extend((a, by_id[s]) for s in sorted(pairs[a.pk]))
    return rows


def assignment_get(assignment_id: int) -> Assignment:
    a = _shown_assignments().filter(pk=assignment_id).first()
    if a is None:
        raise NotFound()
    return a


def school_get(school_id: int) -> School:
    school = School.objects.filter(pk=school_id).select_related("division").first()
    if school is None:
        raise NotFound()
    return school


# ------------------------------------------------------------------ figures


@dataclass
class Figures:
    """The score figures of one group (a class, a school, the whole report)."""

    assigned: int = 0
    n: int = 0  # marked pupils
    mean: float | None = None
    high: float | None = None
    low: float | None = None
    max_score: float | None = None
    excellent: int = 0
    passed: int = 0
    low_scores: int = 0
    bands: list[int] = field(default_factory=lambda: [0] * BANDS)
    hidden: str = ""  # SUPPRESSED / SECONDARY when not shown

    def _rate(self, k: int) -> float | None:
        return round(100 * k / self.n, 1) if self.n else None

    @property
    def excellent_rate(self) -> float | None:
        return self._rate(self.excellent)

    @property
    def pass_rate(self) -> float | None:
        return self._rate(self.passed)

    @property
    def low_rate(self) -> float | None:
        return self._rate(self.low_scores)

    @property
    def mean_rate(self) -> float | None:
        """The mean as a percentage of the full marks (得分率)."""
        if self.mean is None or not self.max_score:
            return None
        return round(100 * self.mean / self.max_score, 1)


@dataclass
class Group:
    key: int
    name: str
    figures: Figures
    mastery: dict[int, float] = field(default_factory=dict)  # knowledge point id → mean estimate (0–1), when shown
    link: str = ""
    weights: dict[int, int] = field(default_factory=dict)  # knowledge point id → pupils behind the mean
    raw_mastery: dict[int, float] = field(default_factory=dict)  # before suppression (the report's own means)
    cells: list[float | None] = field(default_factory=list)  # per report point, in the report's order


@dataclass
class AreaReport:
    assignment: Assignment
    level: str  # "school": groups are classes; "district": groups are schools
    place: str  # the school's or the division's name
    groups: list[Group]
    total: Figures
    points: list[KnowledgePoint]
    total_mastery: list[float | None]
    pupils: bool = False  # the reader may open class pupil lists
    node: str = ""  # the division code of a district report
    small_group: int = SMALL_GROUP

    @property
    def band_labels(self) -> list[str]:
        return BAND_LABELS

    def chart(self) -> dict[str, Any]:
        """What the page's charts draw (shown groups only)."""
        shown = [g for g in self.groups if not g.figures.hidden]
        return {
            "bands": BAND_LABELS,
            "groups": [g.name for g in shown],
            "distribution": self.total.bands,
            "means": [g.figures.mean_rate for g in shown],
            "excellent": [g.figures.excellent_rate for g in shown],
            "passed": [g.figures.pass_rate for g in shown],
            "low": [g.figures.low_rate for g in shown],
        }


def _score_rows(submissions: QuerySet[Submission], key: str) -> dict[int, Figures]:
    marked = Q(status=SubmissionStatus.MARKED, score__isnull=False)
    aggregates: dict[str, Any] = {
        "assigned": Count("pk"),
        "n": Count("pk", filter=marked),
        "mean": Avg("score", filter=marked),
        "high": Max("score", filter=marked),
        "low": Min("score", filter=marked),
        "full": Max("max_score"),
        "excellent": Count("pk", filter=marked & Q(score__gte=F("max_score") * EXCELLENT)),
        "passed": Count("pk", filter=marked & Q(score__gte=F("max_score") * PASS)),
        "low_scores": Count("pk", filter=marked & Q(score__lt=F("max_score") * LOW)),
    }
    for i in range(BANDS):
        band = Q(score__gte=F("max_score") * Decimal(i) / BANDS)
        if i < BANDS - 1:
            band &= Q(score__lt=F("max_score") * Decimal(i + 1) / BANDS)
        aggregates[f"b{i}"] = Count("pk", filter=marked & band)
    result = {}
    for row in submissions.order_by().values(key).annotate(**aggregates):
        result[row[key]] = _figures(row)
    return result


def _figures(row: dict[str, Any]) -> Figures:
    def num(v: Any) -> float | None:
        return None if v is None else round(float(v), 1)

    return Figures(
        assigned=row["assigned"],
        n=row["n"],
        mean=num(row["mean"]),
        high=num(row["high"]),
        low=num(row["low"]),
        max_score=num(row["full"]),
        excellent=row["excellent"],
        passed=row["passed"],
        low_scores=row["low_scores"],
        bands=[row[f"b{i}"] for i in range(BANDS)],
    )


def _total(parts: list[Figures]) -> Figures:
    """The figures of the union of groups, from their counts (means weighted by the marked pupils)."""
    t = Figures()
    weighted = 0.0
    for f in parts:
        t.assigned += f.assigned
        t.n += f.n
        t.excellent += f.excellent
        t.passed += f.passed
        t.low_scores += f.low_scores
        t.bands = [a + b for a, b in zip(t.bands, f.bands, strict=True)]
        if f.n and f.mean is not None:
            weighted += f.mean * f.n
            t.high = f.high if t.high is None else max(t.high, f.high or 0)
            t.low = f.low if t.low is None else min(t.low, f.low if f.low is not None else t.low)
        t.max_score = t.max_score or f.max_score
    t.mean = round(weighted / t.n, 1) if t.n else None
    return t


def paper_points(assignment: Assignment) -> list[KnowledgePoint]:
    """The knowledge points of the assignment's paper, in the order the questions first meet them."""
    rows = (
        PaperItem.objects.filter(paper_id=assignment.paper_id)
        .order_by("order", "pk")
        .values_list("item__knowledge_points", flat=True)
    )
    ids = list(dict.fromkeys(pk for pk in rows if pk is not None))
    by_id = KnowledgePoint.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def _mastery_rows(
    assignment: Assignment, points: list[KnowledgePoint], *, by: str, school_id: int | None, division: str
) -> dict[int, dict[int, tuple[float, int]]]:
    """Mean mastery per group (``by``: "school" or "class") × point, over the assignment's marked pupils (their class
    when they sat it). One grouped query joining the pupils' submissions, their class and school."""
    if not points:
        return {}
    m, s, c, sc = (
        Mastery._meta.db_table,
        Submission._meta.db_table,
        SchoolClass._meta.db_table,
        School._meta.db_table,
    )
    group = "c.school_id" if by == "school" else "s.school_class_id"
    marks = ", ".join(["%s"] * len(points))
    params: list[Any] = [assignment.pk, SubmissionStatus.MARKED, *[p.pk for p in points]]
    where = ""
    if school_id is not None:
        where = " AND c.school_id = %s"
        params.append(school_id)
    elif division:
        where = " AND sc.division_id LIKE %s"
        params.append(division + "%")
    sql = (
        f"SELECT {group}, m.knowledge_point_id, AVG(m.estimate), COUNT(*) FROM {m} m "  # noqa: S608  (table names, not input)
        f"JOIN {s} s ON s.student_id = m.student_id "
        f"JOIN {c} c ON c.id = s.school_class_id JOIN {sc} sc ON sc.id = c.school_id "
        f"WHERE s.assignment_id = %s AND s.status = %s AND m.knowledge_point_id IN ({marks}){where} "
        f"GROUP BY {group}, m.knowledge_point_id"
    )
    result: dict[int, dict[int, tuple[float, int]]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for key, point_id, mean, count in cursor.fetchall():
            result[key][point_id] = (float(mean), int(count))
    return result


# The two aggregate queries of a report are kept for CACHE_SECONDS (a district's 53,000 pupils × 10 points cost ≈ 0.6 s
# of CPU). The key holds a stamp of what they read: the assignment (and when it was made), its number of
# submissions, a version bumped by ``marks_changed`` (any marking), and the newest Mastery and MasteryChange rows
# (any refit that added or moved an estimate), so a report is never older than the last marking or refit it saw.
CACHE_SECONDS = 300


def _version_key(assignment_id: int) -> str:
    return f"learning:area:v:{assignment_id}"


def forget(assignment_id: int) -> None:
    """Drop the kept aggregates of an assignment (its marks changed)."""
    try:
        cache.incr(_version_key(assignment_id))
    except ValueError:
        cache.set(_version_key(assignment_id), 1, None)


def on_marks_changed(sender: object, assignment_id: int, **kwargs: object) -> None:
    forget(assignment_id)


def _kept(assignment: Assignment, where: str, compute: Any) -> Any:
    stamp = (
        assignment.pk,
        assignment.created_at.timestamp(),
        cache.get(_version_key(assignment.pk), 0),
        Submission.objects.filter(assignment=assignment).count(),
        Mastery.objects.aggregate(m=Max("pk"))["m"],
        MasteryChange.objects.aggregate(m=Max("pk"))["m"],
    )
    key = "learning:area:" + where + ":" + ":".join(str(x) for x in stamp)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def _suppress(groups: list[Group]) -> None:
    """Hide groups with fewer than SMALL_GROUP marked pupils; when exactly one is hidden and others remain, hide the
    next smallest too (secondary suppression), so the total minus the shown groups gives nothing away."""
    small = [g for g in groups if 0 < g.figures.n < SMALL_GROUP]
    for g in small:
        g.figures.hidden = SUPPRESSED
    shown = [g for g in groups if not g.figures.hidden and g.figures.n > 0]
    if len(small) == 1 and shown:
        min(shown, key=lambda g: (g.figures.n, g.name)).figures.hidden = SECONDARY
    for g in groups:
        if g.figures.hidden:
            g.mastery = {}


def _mean_mastery(groups: list[Group], points: list[KnowledgePoint]) -> list[float | None]:
    """The report's own mastery per point: the groups' means weighted by their pupils (hidden groups too)."""
    out: list[float | None] = []
    for p in points:
        num = den = 0.0
        for g in groups:
            v = g.raw_mastery.get(p.pk)
            if v is not None:
                num += v * g.weights[p.pk]
                den += g.weights[p.pk]
        out.append(round(num / den, 2) if den else None)
    return out


def _finish(groups: list[Group], points: list[KnowledgePoint], *, suppress: bool) -> list[float | None]:
    for g in groups:
        g.raw_mastery = dict(g.mastery)
    if suppress:
        _suppress(groups)
    for g in groups:
        g.cells = [round(g.mastery[p.pk], 2) if p.pk in g.mastery else None for p in points]
    return _mean_mastery(groups, points)


def school_report(*, actor: Actor, assignment_id: int, school_id: int) -> AreaReport:
    """One assignment at one school, per class (see the module docstring for who reads it)."""
    assignment = assignment_get(assignment_id)
    school = school_get(school_id)
    access = school_access(actor=actor, assignment=assignment, school=school)
    points = paper_points(assignment)

    def compute() -> tuple[dict[int, Figures], dict[int, dict[int, tuple[float, int]]]]:
        subs = Submission.objects.filter(assignment=assignment, school_class__school_id=school.pk)
        return (
            _score_rows(subs, "school_class_id"),
            _mastery_rows(assignment, points, by="class", school_id=school.pk, division=""),
        )

    scores, mastery = _kept(assignment, f"school:{school.pk}", compute)
    if not scores:
        raise NotFound()
    classes = SchoolClass.objects.filter(pk__in=list(scores)).select_related("grade")
    groups = [
        Group(
            key=k.pk,
            name=class_display_name(k),
            figures=scores[k.pk],
            mastery={p: v for p, (v, _n) in mastery.get(k.pk, {}).items()},
            weights={p: n for p, (_v, n) in mastery.get(k.pk, {}).items()},
            link=f"/learning/reports/assignments/{assignment.pk}/classes/{k.pk}/" if access.pupils else "",
        )
        for k in sorted(classes, key=lambda k: (k.grade.stage, -k.grade.entry_year, k.number))
    ]
    total = _total([g.figures for g in groups])
    total_mastery = _finish(groups, points, suppress=not access.pupils)
    return AreaReport(
        assignment=assignment,
        level="school",
        place=school.name,
        groups=groups,
        total=total,
        points=points,
        total_mastery=total_mastery,
        pupils=access.pupils,
    )


def district_report(*, actor: Actor, assignment_id: int) -> AreaReport:
    """A district exam per school, at the division the actor reads it (:func:`district_node`)."""
    assignment = assignment_get(assignment_id)
    node = district_node(actor=actor, assignment=assignment)
    if node is None:
        raise NotFound()
    points = paper_points(assignment)

    def compute() -> tuple[dict[int, Figures], dict[int, dict[int, tuple[float, int]]]]:
        subs = Submission.objects.filter(assignment=assignment, school_class__school__division__code__startswith=node)
        return (
            _score_rows(subs, "school_class__school_id"),
            _mastery_rows(assignment, points, by="school", school_id=None, division=node),
        )

    scores, mastery = _kept(assignment, f"district:{node}", compute)
    schools = School.objects.filter(pk__in=list(scores))
    groups = [
        Group(
            key=s.pk,
            name=s.name,
            figures=scores[s.pk],
            mastery={p: v for p, (v, _n) in mastery.get(s.pk, {}).items()},
            weights={p: n for p, (_v, n) in mastery.get(s.pk, {}).items()},
            link=f"/learning/reports/assignments/{assignment.pk}/schools/{s.pk}/",
        )
        for s in sorted(schools, key=lambda s: s.code)
    ]
    total = _total([g.figures for g in groups])
    total_mastery = _finish(groups, points, suppress=True)
    division = Division.objects.filter(pk=node).first()
    return AreaReport(
        assignment=assignment,
        level="district",
        place=division.name if division else node,
        groups=groups,
        total=total,
        points=points,
        total_mastery=total_mastery,
        node=node,
    )


# ------------------------------------------------------------------ a class's pupils (the school's own 学校管理员)


@dataclass
class PupilRow:
    name: str
    status: str
    score: float | None
    max_score: float


def class_pupils(*, actor: Actor, assignment_id: int, class_id: int) -> tuple[Assignment, SchoolClass, list[PupilRow]]:
    """A class's pupils and their scores on the assignment, for the school's own 学校管理员 only."""
    assignment = assignment_get(assignment_id)
    klass = SchoolClass.objects.filter(pk=class_id).select_related("school", "grade").first()
    if klass is None:
        raise NotFound()
    if not school_access(actor=actor, assignment=assignment, school=klass.school).pupils:
        raise NotFound()
    subs = (
        Submission.objects.filter(assignment=assignment, school_class=klass)
        .select_related("student__person")
        .order_by(F("score").desc(nulls_last=True), "student__student_no")
    )
    rows = [
        PupilRow(
            name=s.student.person.name,
            status=s.get_status_display(),
            score=float(s.score) if s.score is not None else None,
            max_score=float(s.max_score),
        )
        for s in subs
    ]
    if not rows:
        raise NotFound()
    return assignment, klass, rows


# ------------------------------------------------------------------ the guardian's view and the pupil's summary


def mastery_words(estimate: float) -> str:
    """Plain words for a mastery estimate (no numbers shown to families)."""
    if estimate >= 0.8:
        return "掌握得很好"
    if estimate >= 0.6:
        return "基本掌握"
    if estimate >= 0.4:
        return "还需巩固"
    return "需要加强"


def result_words(ratio: float) -> str:
    if ratio >= 0.85:
        return "优秀"
    if ratio >= 0.7:
        return "良好"
    if ratio >= 0.6:
        return "合格"
    return "需加油"


@dataclass
class ResultLine:
    title: str
    kind: str
    day: datetime | None
    score: float
    max_score: float
    words: str


@dataclass
class PointLine:
    name: str
    words: str
    unsure: bool = False  # little evidence yet: "仅供参考"
    resource_title: str = ""
    resource_url: str = ""


@dataclass
class ChangeLine:
    name: str
    up: bool
    words: str


@dataclass
class ChildSummary:
    student: Student
    name: str
    class_name: str
    results: list[ResultLine]
    strengths: list[PointLine]
    practise: list[PointLine]
    changes: list[ChangeLine]

    @property
    def empty(self) -> bool:
        return not (self.results or self.strengths or self.practise or self.changes)


def child_may_read(*, actor: Actor, student: Student) -> bool:
    """The pupil's registered guardians (家长) and the pupil themselves."""
    if not getattr(actor, "is_authenticated", False):
        return False
    scope = scope_for(actor)
    if scope.has(Role.STUDENT) and student.person_id == scope.person_id:
        return True
    return (
        scope.has(Role.PARENT)
        and scope.person_id > 0
        and Guardianship.objects.filter(guardian_id=scope.person_id, student_id=student.pk).exists()
    )


def children(*, actor: Actor) -> list[Student]:
    """The pupils whose summary the actor reads: a guardian's children, or the pupil's own record."""
    if not getattr(actor, "is_authenticated", False):
        return []
    scope = scope_for(actor)
    q = Q(pk__in=[])
    if scope.has(Role.PARENT) and scope.person_id > 0:
        q |= Q(pk__in=Guardianship.objects.filter(guardian_id=scope.person_id).values("student_id"))
    if scope.has(Role.STUDENT) and scope.person_id > 0:
        q |= Q(person_id=scope.person_id)
    return list(Student.objects.filter(q).select_related("person", "school_class__grade").order_by("pk"))


def child_first(kids: list[Student]) -> Student:
    """The child a guardian's page opens on: the first with a diagnosis (marked work), else the first."""
    fitted = set(Mastery.objects.filter(student__in=kids).values_list("student_id", flat=True).distinct())
    return next((k for k in kids if k.pk in fitted), kids[0])


STRONG, WEAK, UNSURE, MOVED = 0.75, 0.6, 0.25, 0.1


def _push(actor: Actor, student: Student, points: list[KnowledgePoint]) -> dict[int, tuple[str, str]]:
    """One pushed resource per weak point, when any (the resource centre's own ranking and visibility)."""
    if not points:
        return {}
    grade = ""
    klass = student.school_class
    if klass is not None:
        grade = grade_code(klass.grade.stage, klass.grade.entry_year, current_school_year()) or ""
    try:
        recs = resources_for_knowledge_points(actor=actor, points=points, limit=10, grade=grade)
    except ZhijiaoError:
        return {}
    found: dict[int, tuple[str, str]] = {}
    for r in recs:
        asked = r.prerequisite_of or r.point
        found.setdefault(asked.pk, (r.resource.title, f"/resources/{r.resource.pk}/"))
    return found


def child_summary(*, actor: Actor, student: Student, now: datetime | None = None) -> ChildSummary:
    """A pupil's learning in plain words, for their guardian or themselves: recent marked results, what they do well,
    2–3 points to practise (with a pushed resource when any) and what changed in the last 30 days. NotFound for
    anyone else. ``now`` fixes the clock (tests)."""
    if not child_may_read(actor=actor, student=student):
        raise NotFound()
    now = now or timezone.now()
    subs = (
        Submission.objects.filter(student=student, status=SubmissionStatus.MARKED, score__isnull=False)
        .select_related("assignment")
        .order_by("-marked_at", "-pk")[:6]
    )
    results = [
        ResultLine(
            title=s.assignment.title,
            kind=s.assignment.get_kind_display(),
            day=s.marked_at,
            score=float(s.score or 0),
            max_score=float(s.max_score),
            words=result_words(float(s.score or 0) / float(s.max_score) if s.max_score else 0),
        )
        for s in subs
    ]
    rows = list(Mastery.objects.filter(student=student).select_related("knowledge_point"))
    strong = sorted((m for m in rows if m.estimate >= STRONG), key=lambda m: (-m.estimate, m.knowledge_point.code))
    weak = sorted((m for m in rows if m.estimate < WEAK), key=lambda m: (m.estimate, m.knowledge_point.code))[:3]
    pushed = _push(actor, student, [m.knowledge_point for m in weak])
    strengths = [
        PointLine(m.knowledge_point.name, mastery_words(m.estimate), m.uncertainty > UNSURE) for m in strong[:3]
    ]
    practise = [
        PointLine(
            m.knowledge_point.name,
            mastery_words(m.estimate),
            m.uncertainty > UNSURE,
            *pushed.get(m.knowledge_point_id, ("", "")),
        )
        for m in weak
    ]
    latest: dict[int, MasteryChange] = {}
    for c in (
        MasteryChange.objects.filter(student=student, at__gte=now - timedelta(days=30), at__lte=now)
        .select_related("knowledge_point")
        .order_by("at", "pk")
    ):
        latest[c.knowledge_point_id] = c
    changes = []
    for c in sorted(latest.values(), key=lambda c: -abs(c.after - (c.before or c.after))):
        if c.before is None or abs(c.after - c.before) < MOVED:
            continue
        up = c.after > c.before
        words = "进步明显" if up else "有所退步，建议多练"
        changes.append(ChangeLine(c.knowledge_point.name, up, words))
    klass = student.school_class
    return ChildSummary(
        student=student,
        name=student.person.name,
        class_name=class_display_name(klass) if klass is not None else "",
        results=results,
        strengths=strengths,
        practise=practise,
        changes=changes[:4],
    )


def child_get(*, actor: Actor, student_id: int) -> Student:
    student = Student.objects.filter(pk=student_id).select_related("person", "school_class__grade").first()
    if student is None or not child_may_read(actor=actor, student=student):
        raise NotFound()
    return student

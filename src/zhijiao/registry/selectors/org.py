"""Reads of the org tree, always through the acting account's scope (the unscoped ones: ``zhijiao.org.selectors``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.class_size import is_large_class, is_over_capacity, is_very_large_class
from zhijiao.core.codes import code_name
from zhijiao.core.errors import NotFound
from zhijiao.core.listing import Listing
from zhijiao.core.prepared import Prepared
from zhijiao.core.student_status import studying_q
from zhijiao.org.grades import class_label, grade_label
from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.org.selectors import current_school_year
from zhijiao.people.models import Staff, Student


# ------------------------------------------------------------------ schools
def school_list(
    *, actor: Actor, division: str | None = None, search: str = "", school_type: str = ""
) -> QuerySet[School]:
    return _schools_filtered(
        scope_for(actor).schools_q(), division=division, search=search, school_type=school_type
    ).select_related("division")


def _schools_filtered(
    scope_q: Q, *, division: str | None = None, search: str = "", school_type: str = ""
) -> QuerySet[School]:
    schools = School.objects.filter(scope_q).distinct()
    if division:
        schools = schools.filter(division__code__startswith=division)
    if school_type:
        schools = schools.filter(school_type=school_type)
    if search:
        schools = schools.filter(Q(name__contains=search) | Q(code__startswith=search))
    return schools.order_by("division_id", "code")


_SCHOOL_ROW_COLUMNS = (
    "id",
    "code",
    "name",
    "school_type",
    "division_id",
    "division__name",
    "stages",
    "address",
    "phone",
    "principal",
)


def school_listing(*, actor: Actor, division: str | None = None, search: str = "", school_type: str = "") -> Listing:
    """The API's school list as a :class:`Listing`: the rows and order of :func:`school_list`, as plain values."""
    scope_q = scope_for(actor).schools_q()
    params = {"school_type": school_type} if school_type else {}

    def build(**values: str) -> QuerySet[School]:
        return _schools_filtered(scope_q, division=division, search=search, **values).values_list(*_SCHOOL_ROW_COLUMNS)

    return Listing(
        key=("schools", repr(scope_q), tuple(params), division or "", search),
        build=build,
        params=params,
        row=school_row,
    )


def school_row(r: tuple) -> dict:
    """One API school row from the values of _SCHOOL_ROW_COLUMNS."""
    return {
        "id": r[0],
        "code": r[1],
        "name": r[2],
        "school_type": r[3],
        "school_type_name": code_name("school_type", r[3]),
        "division_code": r[4],
        "division_name": r[5],
        "stages": [code_name("stage", stage) for stage in r[6].split(",") if stage],
        "address": r[7],
        "phone": r[8],
        "principal": r[9],
    }


# A school by id, compiled once (zhijiao.core.prepared); the scope decides on the fetched row.
_SCHOOL_BY_ID: Prepared[School] = Prepared(
    lambda pk: School.objects.filter(pk=pk).select_related("division")[:1], pk=int
)


def school_get(*, actor: Actor, school_id: int | None = None, code: str | None = None) -> School:
    """A school the actor can see, by id or 学校标识码; NotFound for one outside the scope."""
    if school_id is not None:
        found = _SCHOOL_BY_ID.first(pk=int(school_id))
        if found is None or not scope_for(actor).sees_school(found):
            raise NotFound()
        return found
    school = School.objects.filter(scope_for(actor).schools_q()).filter(code=code).select_related("division").first()
    if school is None:
        raise NotFound()
    return school


@dataclass
class SchoolFacts:
    school: School
    classes: int
    students: int
    staff: int
    teachers: int
    oversized_classes: int
    grades: list[GradeRow] = field(default_factory=list)


@dataclass
class GradeRow:
    label: str
    stage: str
    entry_year: int
    classes: list[ClassRow]

    @property
    def students(self) -> int:
        return sum(c.students for c in self.classes)


@dataclass
class ClassRow:
    school_class: SchoolClass
    label: str
    students: int
    head_teacher: str

    @property
    def oversized(self) -> bool:
        """大班额 (56 and more), by the one national rule."""
        return bool(is_large_class(self.students))

    @property
    def very_large(self) -> bool:
        """超大班额 (66 and more)."""
        return bool(is_very_large_class(self.students))

    @property
    def over_capacity(self) -> bool:
        """超额: more pupils than the class's own rated size."""
        return is_over_capacity(self.students, self.school_class.capacity)

    @property
    def over_by(self) -> int:
        return max(0, self.students - (self.school_class.capacity or self.students))

    @property
    def fill_percent(self) -> int:
        return min(100, round(100 * self.students / max(self.school_class.capacity, 1)))


def class_rows(
    *, actor: Actor, school: School | None = None, classes: QuerySet[SchoolClass] | None = None
) -> list[ClassRow]:
    """Visible classes with their live enrolment counts, labelled for the current school year."""
    year = current_school_year()
    if classes is None:
        classes = class_list(actor=actor, school=school)
    classes = classes.annotate(n=Count("students", filter=studying_q("students__"))).select_related(
        "grade", "head_teacher__person"
    )
    return [
        ClassRow(
            school_class=c,
            label=class_label(c.grade.stage, c.grade.entry_year, c.number, year),
            students=c.n,
            head_teacher=c.head_teacher.person.name if c.head_teacher else "",
        )
        for c in classes
    ]


def class_row(*, actor: Actor, school_class: SchoolClass) -> ClassRow:
    """One class (already fetched through class_get) with its real number of pupils 在读 — the class's size, whoever
    asks, never the number of pupils this actor may open (a parent sees one)."""
    return class_rows(actor=actor, classes=SchoolClass.objects.filter(pk=school_class.pk))[0]


def school_facts(*, actor: Actor, school: School) -> SchoolFacts:
    """Counts for a school page. The school must already have been fetched through school_get."""
    year = current_school_year()
    rows = class_rows(actor=actor, school=school)
    grades: dict[tuple[str, int], GradeRow] = {}
    for row in rows:
        g = row.school_class.grade
        key = (g.stage, g.entry_year)
        if key not in grades:
            grades[key] = GradeRow(
                label=grade_label(g.stage, g.entry_year, year),
                stage=g.stage,
                entry_year=g.entry_year,
                classes=[],
            )
        grades[key].classes.append(row)
    scope = scope_for(actor)
    students = Student.objects.filter(scope.students_q(), studying_q(), school=school).count()
    staff = Staff.objects.filter(scope.staff_q(), school=school, is_active=True)
    return SchoolFacts(
        school=school,
        classes=len(rows),
        students=students,
        staff=staff.count(),
        teachers=staff.filter(category="11").count(),
        oversized_classes=sum(1 for r in rows if r.oversized),
        grades=sorted(grades.values(), key=lambda g: (g.stage, -g.entry_year)),
    )


# ------------------------------------------------------------------ classes
_CLASS_ORDER = ("school_id", "grade__stage", "-grade__entry_year", "number")


def class_list(*, actor: Actor, school: School | None = None) -> QuerySet[SchoolClass]:
    classes = SchoolClass.objects.filter(scope_for(actor).classes_q(), is_active=True)
    if school is not None:
        classes = classes.filter(school=school)
    return classes.select_related("school", "grade").order_by(*_CLASS_ORDER)


_CLASS_ROW_COLUMNS = (
    "id",
    "school_id",
    "school__code",
    "grade__stage",
    "grade__entry_year",
    "number",
    "capacity",
    "head_teacher_id",
)


def class_listing(*, actor: Actor, school: School | None = None) -> Listing:
    """The API's class list as a :class:`Listing`: the rows and order of :func:`class_list`, as plain values."""
    scope_q = scope_for(actor).classes_q()
    params = {"school_id": school.pk} if school is not None else {}

    def build(**values: int) -> QuerySet[SchoolClass]:
        return (
            SchoolClass.objects.filter(scope_q, is_active=True, **values)
            .order_by(*_CLASS_ORDER)
            .values_list(*_CLASS_ROW_COLUMNS)
        )

    year = current_school_year()
    return Listing(
        key=("classes", repr(scope_q), tuple(params)), build=build, params=params, row=lambda r: class_list_row(r, year)
    )


def class_list_row(r: tuple, year: int) -> dict:
    """One API class row from the values of _CLASS_ROW_COLUMNS."""
    return {
        "id": r[0],
        "name": class_label(r[3], r[4], r[5], year),
        "school_id": r[1],
        "school_code": r[2],
        "stage": code_name("stage", r[3]),
        "entry_year": r[4],
        "number": r[5],
        "capacity": r[6],
        "head_teacher_id": r[7],
    }


def class_get(*, actor: Actor, class_id: int) -> SchoolClass:
    school_class = (
        SchoolClass.objects.filter(scope_for(actor).classes_q())
        .filter(pk=class_id)
        .select_related("school", "grade", "head_teacher__person")
        .first()
    )
    if school_class is None:
        raise NotFound()
    return school_class


# ------------------------------------------------------------------ region drill-down
@dataclass
class NodeFigures:
    code: str
    name: str
    kind: str  # division or school
    schools: int = 0
    classes: int = 0
    students: int = 0
    staff: int = 0
    school_type: str = ""
    school_id: int | None = None


@dataclass
class RegionView:
    division: Division | None
    path: list[Division]
    children: list[NodeFigures]
    total: NodeFigures


def region_root(*, actor: Actor) -> str:
    """The widest division the actor can see, skipping levels that have a single child (a platform holding one
    district starts at that district); "" means the whole country."""
    scope = scope_for(actor)
    if scope.is_platform_admin:
        counties = set(School.objects.values_list("division_id", flat=True).distinct())
        code = ""
        for length in (2, 4, 6):
            prefixes = {c[:length] for c in counties}
            if len(prefixes) != 1:
                break
            code = prefixes.pop()
        return code
    codes = sorted(scope.divisions(), key=len)
    if codes:
        return codes[0]
    school = School.objects.filter(scope.schools_q()).order_by("code").first()
    return school.division_id if school else ""


def region_view(*, actor: Actor, code: str = "") -> RegionView:
    """Figures for a division and each of its children that has visible schools (child divisions,
    or schools at county level). Everything outside the actor's scope counts as absent."""
    scope = scope_for(actor)
    division = None
    if code:
        division = Division.objects.filter(pk=code).first()
        if division is None:
            raise NotFound()
    schools = list(
        School.objects.filter(scope.schools_q())
        .filter(division__code__startswith=code)
        .distinct()
        .values("id", "code", "name", "division_id", "school_type")
    )
    granted = scope.covers_division(code)
    if code and not schools and not granted:
        raise NotFound()  # outside the scope; an empty division inside it is simply empty
    ids = [s["id"] for s in schools]
    students = _count_by_school(Student.objects.filter(scope.students_q(), studying_q(), school_id__in=ids))
    classes = _count_by_school(SchoolClass.objects.filter(scope.classes_q(), school_id__in=ids, is_active=True))
    staff = _count_by_school(Staff.objects.filter(scope.staff_q(), school_id__in=ids, is_active=True))

    level = division.level if division else 0
    child_len = {0: 2, 1: 4, 2: 6}.get(level)
    groups: dict[str, NodeFigures] = {}
    names = {}
    if child_len:
        child_codes = {s["division_id"][:child_len] for s in schools}
        names = dict(Division.objects.filter(pk__in=child_codes).values_list("code", "name"))
    total = NodeFigures(code=code, name=division.name if division else "全部地区", kind="division")
    for s in schools:
        if child_len:
            key = s["division_id"][:child_len]
            node = groups.setdefault(key, NodeFigures(code=key, name=names.get(key, key), kind="division"))
        else:
            node = groups.setdefault(
                s["code"],
                NodeFigures(
                    code=s["code"],
                    name=s["name"],
                    kind="school",
                    school_type=code_name("school_type", s["school_type"]),
                    school_id=s["id"],
                ),
            )
        for target in (node, total):
            target.schools += 1
            target.students += students.get(s["id"], 0)
            target.classes += classes.get(s["id"], 0)
            target.staff += staff.get(s["id"], 0)
    path = list(Division.objects.filter(pk__in=[code[:n] for n in (2, 4, 6) if len(code) >= n]).order_by("level"))
    return RegionView(division=division, path=path, children=sorted(groups.values(), key=lambda n: n.code), total=total)


def _count_by_school(queryset) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for school_id, n in queryset.values_list("school_id").annotate(n=Count("pk")).order_by():
        counts[school_id] = n
    return counts

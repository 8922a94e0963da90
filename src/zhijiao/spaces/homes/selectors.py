"""Reads of the space homes: whose space the signed-in person has, what a teacher's, a pupil's and a guardian's home
shows, a class's space, a pupil's space as others see it, a school's public face and the region's.

Every "may see" is the access layer's (``Scope.in_class_space``, ``Scope.sees_pupil_space``, ``manages_school``);
a space someone may not see is NotFound (404), never a page that says whose it is. The public faces show what a
school chose to show: its name and intro, notices it marked public, resources shared 公开 — no person's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.codes import code_name
from zhijiao.core.errors import NotFound
from zhijiao.core.masking import mask_name
from zhijiao.core.space_panels import SpaceContext
from zhijiao.core.student_status import studying_q
from zhijiao.org.grades import grade_code
from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.org.selectors import class_display_name, current_school_year
from zhijiao.people.models import Student, TeachingAssignment
from zhijiao.resources.models import Resource, ResourceStatus, SharingScope
from zhijiao.resources.selectors import ResourceFilters, resource_list
from zhijiao.spaces.homes.models import SchoolPage
from zhijiao.spaces.models import AudienceKind, Notice, NoticeReceipt, NoticeStatus
from zhijiao.spaces.research.hours import TeacherHours, teacher_hours
from zhijiao.spaces.research.models import Activity
from zhijiao.spaces.selectors import node_label, notice_sent_list, receipt_inbox

TEACHER_ROLES = (Role.TEACHER, Role.HEAD_TEACHER)


def space_kind(*, actor: Actor) -> str:
    """Which personal space the account has: teacher, guardian, pupil, or "" (administrators: the notices home)."""
    scope = scope_for(actor)
    if scope.has(*TEACHER_ROLES):
        return "teacher"
    if scope.has(Role.PARENT):
        return "guardian"
    if scope.has(Role.STUDENT):
        return "pupil"
    return ""


# ------------------------------------------------------------------------------------------ shared pieces
@dataclass
class ClassCard:
    pk: int
    label: str
    school: str
    head: bool = False  # the actor is its 班主任
    subjects: list[str] = field(default_factory=list)


def class_label(klass: SchoolClass) -> str:
    return class_display_name(klass)


def inbox_preview(*, actor: Actor, limit: int = 6) -> tuple[list[NoticeReceipt], int]:
    """The person's latest notices (unread first) and how many are unread."""
    qs = receipt_inbox(actor=actor)
    return list(qs[:limit]), qs.filter(read_at__isnull=True).count()


def sent_preview(*, actor: Actor, limit: int = 5) -> list[Notice]:
    """The notices the person sent lately, with their node's label and read percentage."""
    sent = list(notice_sent_list(actor=actor)[:limit])
    for n in sent:
        n.label = node_label(n)  # type: ignore[attr-defined]
        total = n.recipient_count or 0
        n.read_percent = round(100 * n.read / total) if total else 0  # type: ignore[attr-defined]
    return sent


def pupil_context(student: Student) -> SpaceContext:
    klass = student.school_class
    stage = grade = ""
    if klass is not None:
        stage = klass.grade.stage
        grade = grade_code(stage, klass.grade.entry_year, current_school_year()) or ""
    return SpaceContext(
        kind="pupil",
        student_id=student.pk,
        class_id=student.school_class_id,
        school_id=student.school_id,
        stage=stage,
        grade=grade,
    )


# ------------------------------------------------------------------------------------------ teacher
@dataclass
class TeacherHome:
    classes: list[ClassCard]
    activities: list[Activity]
    hours: TeacherHours
    resources: list[Resource]
    published: list[Resource]
    outputs: list[Activity]  # 集体备课 whose final plan went to the resource centre


def teacher_home(*, actor: Actor) -> TeacherHome:
    scope = scope_for(actor)
    led = scope.led_class_ids()
    heads = set(scope.class_ids(Role.HEAD_TEACHER))
    taught = list(
        TeachingAssignment.objects.filter(
            staff__person_id=scope.person_id, term__is_current=True, staff__is_active=True
        ).values_list("school_class_id", "subject")
    )
    subjects_of: dict[int, list[str]] = {}
    for class_id, subject in taught:
        subjects_of.setdefault(class_id, []).append(code_name("subject", subject))
    classes = [
        ClassCard(k.pk, class_label(k), k.school.name, k.pk in heads, subjects_of.get(k.pk, []))
        for k in SchoolClass.objects.filter(pk__in=led)
        .select_related("grade", "school")
        .order_by("grade__entry_year", "number")
    ]
    stages = {k.grade.stage for k in SchoolClass.objects.filter(pk__in=led).select_related("grade")}
    subjects = sorted({s for _, s in taught})
    resources: list[Resource] = []
    if subjects:
        resources = list(
            resource_list(actor=actor, filters=ResourceFilters())
            .filter(subject__in=subjects, stage__in=stages or {""})
            .order_by("-value_score", "-published_at", "-pk")[:6]
        )
    activities = list(
        Activity.objects.filter(Q(group__members__account_id=actor.pk) | Q(group__leader_id=actor.pk))
        .select_related("group")
        .distinct()
        .order_by("-starts_at")[:6]
    )
    published = list(
        Resource.objects.filter(author_id=actor.pk, status=ResourceStatus.PUBLISHED).order_by("-published_at")[:6]
    )
    outputs = list(
        Activity.objects.filter(resource__isnull=False, final_version__author_id=actor.pk)
        .select_related("group", "resource")
        .order_by("-starts_at")[:4]
    )
    return TeacherHome(
        classes=classes,
        activities=activities,
        hours=teacher_hours(account_id=actor.pk, year=timezone.localdate().year),
        resources=resources,
        published=published,
        outputs=outputs,
    )


# ------------------------------------------------------------------------------------------ pupil, guardian
def own_student(*, actor: Actor) -> Student | None:
    """The pupil's own record (in school), with class."""
    scope = scope_for(actor)
    if not scope.has(Role.STUDENT):
        return None
    return (
        Student.objects.filter(studying_q(), person_id=scope.person_id)
        .select_related("person", "school", "school_class__grade")
        .first()
    )


def guardian_children(*, actor: Actor) -> list[Student]:
    ids = scope_for(actor).children_ids()
    return list(
        Student.objects.filter(pk__in=ids).select_related("person", "school", "school_class__grade").order_by("pk")
    )


# ------------------------------------------------------------------------------------------ class space
@dataclass
class Member:
    name: str
    role: str  # 班主任, 任课教师 (subjects), 学生


@dataclass
class ClassSpace:
    klass: SchoolClass
    label: str
    teachers: list[Member]
    pupils: list[Member]
    notices: list[Notice]
    is_teacher: bool


def class_space_get(*, actor: Actor, class_id: int) -> SchoolClass:
    """The class, when the actor is in its space (pupils, their guardians, teachers, 班主任); else NotFound."""
    if not actor.is_authenticated or not scope_for(actor).in_class_space(class_id):
        raise NotFound()
    klass = SchoolClass.objects.select_related("grade", "school", "head_teacher__person").filter(pk=class_id).first()
    if klass is None:
        raise NotFound()
    return klass


def class_notices(klass: SchoolClass, limit: int = 10) -> QuerySet[Notice]:
    """Published notices to the class, its grade or its school — what the class's feed shows."""
    return (
        Notice.objects.filter(status=NoticeStatus.PUBLISHED)
        .filter(
            Q(audience_kind=AudienceKind.CLASS, school_class_id=klass.pk)
            | Q(audience_kind=AudienceKind.GRADE, grade_id=klass.grade_id)
            | Q(audience_kind=AudienceKind.SCHOOL, school_id=klass.school_id)
        )
        .select_related("sender")
        .order_by("-published_at")[:limit]
    )


def class_space(*, actor: Actor, class_id: int) -> ClassSpace:
    klass = class_space_get(actor=actor, class_id=class_id)
    scope = scope_for(actor)
    is_teacher = scope.leads_class(klass.pk)
    teachers: dict[int, Member] = {}
    if klass.head_teacher is not None:
        teachers[klass.head_teacher.pk] = Member(klass.head_teacher.person.name, "班主任")
    for a in (
        TeachingAssignment.objects.filter(school_class=klass, term__is_current=True, staff__is_active=True)
        .select_related("staff__person")
        .order_by("subject")
    ):
        member = teachers.setdefault(a.staff_id, Member(a.staff.person.name, ""))
        subject = code_name("subject", a.subject)
        member.role = "、".join(x for x in (member.role, subject) if x)
    pupils = [
        Member(name if is_teacher else mask_name(name), "学生")
        for name in Student.objects.filter(studying_q(), school_class=klass)
        .order_by("person__name")
        .values_list("person__name", flat=True)
    ]
    return ClassSpace(
        klass=klass,
        label=class_label(klass),
        teachers=list(teachers.values()),
        pupils=pupils,
        notices=list(class_notices(klass)),
        is_teacher=is_teacher,
    )


# ------------------------------------------------------------------------------------------ a pupil's space
def pupil_space_get(*, actor: Actor, student_id: int) -> Student:
    """A pupil's space as others see it: the pupil, their guardians, classmates, the class's teachers."""
    student = Student.objects.select_related("person", "school", "school_class__grade").filter(pk=student_id).first()
    if student is None or not actor.is_authenticated:
        raise NotFound()
    if not scope_for(actor).sees_pupil_space(
        student_id=student.pk, person_id=student.person_id, class_id=student.school_class_id
    ):
        raise NotFound()
    return student


# ------------------------------------------------------------------------------------------ school, region
def school_page(school: School) -> SchoolPage:
    return SchoolPage.objects.filter(school=school).first() or SchoolPage(school=school)


def school_editable_get(*, actor: Actor, school_id: int) -> School:
    """The school whose space the actor may edit (its administrators, the bureaus above); else NotFound."""
    school = School.objects.select_related("division").filter(pk=school_id).first()
    if school is None or not school_may_edit(actor=actor, school=school):
        raise NotFound()
    return school


def school_may_edit(*, actor: Actor, school: School) -> bool:
    return actor.is_authenticated and scope_for(actor).manages_school(
        school_id=school.pk, division_code=school.division_id
    )


@dataclass
class PublicFace:
    school: School
    page: SchoolPage
    type_name: str
    notices: list[Notice]
    resources: list[Resource]
    classes: int
    pupils: int


def school_public_get(*, school_id: int, actor: Actor | None = None) -> PublicFace:
    """A school's public face: only when it chose to show one (its administrators see the preview regardless)."""
    school = School.objects.select_related("division").filter(pk=school_id, is_active=True).first()
    if school is None:
        raise NotFound()
    page = school_page(school)
    if not page.is_public and not (actor is not None and school_may_edit(actor=actor, school=school)):
        raise NotFound()
    return PublicFace(
        school=school,
        page=page,
        type_name=code_name("school_type", school.school_type),
        notices=list(
            Notice.objects.filter(
                status=NoticeStatus.PUBLISHED, is_public=True, audience_kind=AudienceKind.SCHOOL, school=school
            ).order_by("-published_at")[:8]
        ),
        resources=list(
            Resource.objects.filter(
                status=ResourceStatus.PUBLISHED, sharing=SharingScope.PUBLIC, owner_school=school
            ).order_by("-value_score", "-published_at")[:8]
        ),
        classes=SchoolClass.objects.filter(school=school, is_active=True).count(),
        pupils=Student.objects.filter(studying_q(), school=school).count(),
    )


@dataclass
class RegionSpace:
    division: Division
    schools: list[tuple[School, str]]  # schools with a public face, and their type
    notices: list[Notice]
    resources: list[Resource]
    school_count: int


def region_space(*, code: str) -> RegionSpace:
    """The region's public space: its public notices, its schools that show a public face, public resources."""
    division = Division.objects.filter(pk=code).first()
    if division is None:
        raise NotFound()
    public_ids = SchoolPage.objects.filter(
        is_public=True, school__is_active=True, school__division__code__startswith=code
    ).values_list("school_id", flat=True)
    schools = [
        (s, code_name("school_type", s.school_type))
        for s in School.objects.filter(pk__in=public_ids).order_by("division_id", "code")[:60]
    ]
    return RegionSpace(
        division=division,
        schools=schools,
        notices=list(
            Notice.objects.filter(
                status=NoticeStatus.PUBLISHED,
                is_public=True,
                audience_kind=AudienceKind.DIVISION,
                division__code__in=[code[:n] for n in (2, 4, 6) if len(code) >= n],
            ).order_by("-published_at")[:8]
        ),
        resources=list(
            Resource.objects.filter(
                status=ResourceStatus.PUBLISHED, sharing=SharingScope.PUBLIC, owner_division__code__startswith=code
            ).order_by("-value_score", "-published_at")[:8]
        ),
        school_count=School.objects.filter(is_active=True, division__code__startswith=code).count(),
    )


def actor_region_code(*, actor: Actor) -> str:
    """The division whose region space the person's menu links to: their grant's, else their school's county."""
    scope = scope_for(actor)
    divisions = scope.divisions()
    if divisions:
        return divisions[0]
    class_ids = scope.class_ids() + scope.member_class_ids()
    school = School.objects.filter(Q(pk__in=scope.school_ids()) | Q(classes__pk__in=class_ids)).first()
    return school.division_id if school else ""

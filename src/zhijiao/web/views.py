"""Pages. Each view parses input, calls selectors, renders — no queries or rules here."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.analytics.warnings import warning_home_card
from zhijiao.audit.services import Origin
from zhijiao.core.codes import code_choices, code_name
from zhijiao.core.paging import paginate
from zhijiao.oidc.selectors import apps_for
from zhijiao.org.grades import grade_code
from zhijiao.org.selectors import SCHOOL_TYPES_IN_USE, class_display_name, current_school_year
from zhijiao.privacy.selectors import apps_awaiting_guardian
from zhijiao.registry.selectors import org, people
from zhijiao.resources.selectors import resource_for_pupil


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _school_crumbs(school) -> list[tuple[str, str | None]]:
    return [
        ("学校", "/schools/"),
        (school.division.name, f"/schools/?division={school.division_id}"),
        (school.name, f"/schools/{school.pk}/"),
    ]


def _pupil_learning(request: HttpRequest, students) -> dict | None:
    """The pupil's home card: a few published resources for their grade this school year (or what is coming)."""
    school_class = next((s.school_class for s in students if s.school_class_id), None)
    if school_class is None:
        return None
    stage = school_class.grade.stage
    grade = grade_code(stage, school_class.grade.entry_year, current_school_year()) or ""
    items = resource_for_pupil(actor=request.user, stage=stage, grade=grade) if grade else []
    for r in items:
        r.subject_name = code_name("subject", r.subject)  # type: ignore[attr-defined]
    return {
        "grade_name": code_name("grade", grade) if grade else "",
        "items": items,
        "more": f"/resources/?{urlencode({'stage': stage, 'grade': grade} if grade else {'stage': stage})}",
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    apps = apps_for(actor=request.user)
    context: dict = {
        "roles": scope.roles,
        "is_platform_admin": scope.is_platform_admin,
        "apps": apps,
        "awaiting_guardian": apps_awaiting_guardian(account=request.user, apps=apps),
        "warnings_card": warning_home_card(actor=request.user),
    }
    if scope.is_platform_admin or scope.has(Role.REGION_ADMIN, Role.INSPECTOR):
        # The bureau's home is its desk: what waits for it (warnings, apps) and the way to the figures. The figures
        # themselves have one home, 统计分析, so no two pages show the same count from different sources.
        context.update(kind="region")
    elif scope.has(Role.SCHOOL_ADMIN):
        school_id = next(iter(scope.school_ids(Role.SCHOOL_ADMIN)), None)
        school = org.school_get(actor=request.user, school_id=school_id)
        context.update(kind="school", facts=org.school_facts(actor=request.user, school=school))
    elif scope.has(Role.TEACHER, Role.HEAD_TEACHER):
        context.update(
            kind="teacher",
            classes=org.class_rows(actor=request.user, classes=org.class_list(actor=request.user)),
            head_of=scope.class_ids(Role.HEAD_TEACHER),
        )
    elif scope.has(Role.PARENT, Role.STUDENT):
        students = list(people.student_list(actor=request.user, status=None))
        context.update(kind="family", students=students)
        if scope.has(Role.STUDENT) and not scope.has(Role.PARENT):
            context.update(learning=_pupil_learning(request, students))
    else:
        context.update(kind="none")
    return render(request, "web/home.html", context)


def _analytics_url(code: str) -> str:
    return f"/analytics/{code}/" if code else "/analytics/"


@login_required
def region(request: HttpRequest, code: str = "") -> HttpResponse:
    """The former 区域概览 dashboard: its figures are 统计分析's now (one place owns them); old links still land."""
    return redirect(_analytics_url(code))


@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    school_type = request.GET.get("type", "")
    schools = org.school_list(
        actor=request.user, search=q, school_type=school_type, division=request.GET.get("division") or None
    )
    page, querystring = paginate(request, schools)
    return render(
        request,
        "web/school_list.html",
        {
            "page_obj": page,
            "querystring": querystring,
            "q": q,
            "school_type": school_type,
            "school_types": [c for c in code_choices("school_type") if c[0] in SCHOOL_TYPES_IN_USE],
            "breadcrumbs": [("学校", None)],
        },
    )


@login_required
def school_detail(request: HttpRequest, school_id: int) -> HttpResponse:
    school = org.school_get(actor=request.user, school_id=school_id)
    return render(
        request,
        "web/school_detail.html",
        {
            "facts": org.school_facts(actor=request.user, school=school),
            "school": school,
            "breadcrumbs": [*_school_crumbs(school)[:-1], (school.name, None)],
        },
    )


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    school_id = _int(request.GET.get("school"))
    school = org.school_get(actor=request.user, school_id=school_id) if school_id else None
    rows = org.class_rows(actor=request.user, school=school)
    only_oversized = request.GET.get("oversized") == "1"
    only_over_capacity = request.GET.get("over") == "1"
    if only_oversized:
        rows = [r for r in rows if r.oversized]
    if only_over_capacity:
        rows = [r for r in rows if r.over_capacity]
    page, querystring = paginate(request, rows, per_page=50)
    return render(
        request,
        "web/class_list.html",
        {
            "page_obj": page,
            "querystring": querystring,
            "school": school,
            "only_oversized": only_oversized,
            "only_over_capacity": only_over_capacity,
            "breadcrumbs": [("班级", None)],
        },
    )


@login_required
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    school_class = org.class_get(actor=request.user, class_id=class_id)
    students = people.student_list(actor=request.user, class_id=class_id)
    label = class_display_name(school_class)
    return render(
        request,
        "web/class_detail.html",
        {
            "school_class": school_class,
            "row": org.class_row(actor=request.user, school_class=school_class),
            "label": label,
            "students": students,
            "teachers": people.class_teachers(actor=request.user, school_class=school_class),
            "breadcrumbs": [*_school_crumbs(school_class.school), (label, None)],
        },
    )


@login_required
def student_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    school_id = _int(request.GET.get("school"))
    students = people.student_list(actor=request.user, search=q, school_id=school_id)
    page, querystring = paginate(request, students)
    return render(
        request,
        "web/student_list.html",
        {
            "page_obj": page,
            "querystring": querystring,
            "q": q,
            "school_id": school_id,
            "schools": org.school_list(actor=request.user) if not scope_for(request.user).has(Role.PARENT) else [],
            "breadcrumbs": [("学生", None)],
        },
    )


@login_required
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    profile = people.student_profile(actor=request.user, student_id=student_id, origin=Origin.from_request(request))
    student = profile.student
    crumbs: list[tuple[str, str | None]] = [("学生", "/students/")]
    if student.school_class:
        crumbs.append((class_display_name(student.school_class), f"/classes/{student.school_class_id}/"))
    crumbs.append((profile.person.name, None))
    return render(
        request,
        "web/student_detail.html",
        {
            "profile": profile,
            "student": student,
            "class_label": class_display_name(student.school_class) if student.school_class else "",
            "breadcrumbs": crumbs,
        },
    )


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    school_id = _int(request.GET.get("school"))
    category = request.GET.get("category", "")
    staff = people.staff_list(actor=request.user, search=q, school_id=school_id, category=category)
    page, querystring = paginate(request, staff)
    return render(
        request,
        "web/staff_list.html",
        {
            "page_obj": page,
            "querystring": querystring,
            "q": q,
            "school_id": school_id,
            "category": category,
            "categories": [c for c in code_choices("staff_category") if c[0] in ("11", "12", "13", "14")],
            "schools": org.school_list(actor=request.user),
            "breadcrumbs": [("教职工", None)],
        },
    )


@login_required
def staff_detail(request: HttpRequest, staff_id: int) -> HttpResponse:
    profile = people.staff_profile(actor=request.user, staff_id=staff_id, origin=Origin.from_request(request))
    return render(
        request,
        "web/staff_detail.html",
        {
            "profile": profile,
            "staff": profile.staff,
            "head_of": [(c, class_display_name(c)) for c in profile.head_of],
            "assignments": [(a, class_display_name(a.school_class)) for a in profile.assignments],
            "breadcrumbs": [("教职工", "/staff/"), (profile.person.name, None)],
        },
    )


@login_required
def styleguide(request: HttpRequest) -> HttpResponse:
    """Every component with sample data, for designers and reviewers."""
    return render(request, "web/styleguide.html", {"breadcrumbs": [("界面规范", None)]})

"""The 学籍异动 pages: the list with the actor's approval queue, the application form, and one case with its steps,
history and the actions the actor may take there. Adapters: parse, ask ``selectors_status`` / ``services_status``,
render; who may do what is decided there, never here.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.org.models import School, SchoolClass
from zhijiao.services import selectors_status, services_status
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import CaseKind, CaseStep, StatusCase, case_step_label

KIND_HELP = {
    CaseKind.TRANSFER: "转到另一所学校就读（区内或跨区）。转出学校、转入学校、教育局依次审核。",
    CaseKind.SUSPEND: "因病或其他原因暂停学业，一般不超过一年。学校、教育局依次审核。",
    CaseKind.RESUME: "休学期满或情况好转后返校。学校审核时确定编入的班级，教育局审核后恢复。",
    CaseKind.WITHDRAW: "离开本校且不再转入本区域学校（如出国定居）。学校、教育局依次审核。",
    CaseKind.DECEASED: "学生不幸离世。学校、教育局依次审核后注销学籍。",
}
CRUMBS = [("网上办事", None), ("学籍异动", "/services/status/")]


def _id(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@login_required
def services_status_home(request: HttpRequest) -> HttpResponse:
    actor = request.user
    context = {
        "queue": selectors_status.case_queue(actor=actor),
        "cases": selectors_status.case_list(actor=actor),
        "may_apply": selectors_status.may_apply_as_school(actor=actor)
        or bool(selectors_status.applicable_students(actor=actor)),
        "breadcrumbs": [("网上办事", None), ("学籍异动", None)],
    }
    return render(request, "services/status_list.html", context)


def _form_page(request: HttpRequest, *, error: ZhijiaoError | None = None) -> HttpResponse:
    actor = request.user
    source = request.POST if request.method == "POST" else request.GET
    student_no = source.get("student_no", "")[:32]
    students = selectors_status.applicable_students(actor=actor, student_no=student_no)
    chosen = _id(source.get("student"))
    context = {
        "students": students,
        "busy": selectors_status.students_with_open_cases(students=students),
        "student_no": student_no,
        "school_side": selectors_status.may_apply_as_school(actor=actor),
        "chosen": chosen if chosen in {s.pk for s in students} else (students[0].pk if len(students) == 1 else None),
        "kinds": [(k.value, k.label, KIND_HELP[k]) for k in CaseKind],
        "schools": selectors_status.transfer_schools(),
        "form": {k: source.get(k, "") for k in ("kind", "to_school", "reason", "requested_on")},
        "error": error,
        "searched": bool(student_no),
        "breadcrumbs": [*CRUMBS, ("新的申请", None)],
    }
    return render(request, "services/status_new.html", context, status=error.status if error else 200)


@login_required
def services_status_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request)
    actor = request.user
    students = {
        s.pk: s
        for s in selectors_status.applicable_students(actor=actor, student_no=request.POST.get("student_no", "")[:32])
    }
    student = students.get(_id(request.POST.get("student")) or -1)
    to_school = School.objects.filter(pk=_id(request.POST.get("to_school")) or -1, is_active=True).first()
    try:
        if student is None:
            raise NotFound()
        case = services_status.case_submit(
            actor=actor,
            student=student,
            kind=request.POST.get("kind", ""),
            reason=request.POST.get("reason", "")[:2000],
            to_school=to_school,
            requested_on=_date(request.POST.get("requested_on")),
            origin=Origin.from_request(request),
        )
    except NotFound:
        return _form_page(
            request, error=ZhijiaoError(ServicesError.SERVICES_CASE_NOT_APPLICANT, field="学生", status=403)
        )
    except ZhijiaoError as exc:
        return _form_page(request, error=exc)
    return redirect("services-status-case", case_id=case.pk)


def _case_page(request: HttpRequest, case_id: int, *, error: ZhijiaoError | None = None) -> HttpResponse:
    actor = request.user
    case = selectors_status.case_get(actor=actor, case_id=case_id)
    may_act = selectors_status.may_act(actor=actor, case=case)
    context = {
        "case": case,
        "steps": selectors_status.case_steps(case),
        "events": selectors_status.case_events(case=case),
        "may_act": may_act,
        "may_reject": case.is_open and selectors_status.may_act_at(actor=actor, case=case, step=case.step),
        "may_supplement": selectors_status.may_supplement(actor=actor, case=case),
        "may_withdraw": selectors_status.may_withdraw(actor=actor, case=case),
        "pick_class": may_act and case.step == CaseStep.SCHOOL_IN,
        "pick_resume_class": may_act and case.step == CaseStep.SCHOOL_OUT and case.kind == CaseKind.RESUME,
        "classes": _classes_for(case, may_act),
        "step_label": case_step_label(case, case.step) if case.is_open else "",
        "error": error,
        "breadcrumbs": [*CRUMBS, (case.number, None)],
    }
    return render(request, "services/status_case.html", context, status=error.status if error else 200)


def _classes_for(case: StatusCase, may_act: bool) -> list[SchoolClass]:
    if not may_act:
        return []
    if case.step == CaseStep.SCHOOL_IN and case.to_school is not None:
        return selectors_status.classes_of(school=case.to_school)
    if case.step == CaseStep.SCHOOL_OUT and case.kind == CaseKind.RESUME:
        return selectors_status.classes_of(school=case.from_school)
    return []


@login_required
def services_status_case(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, case_id)


@login_required
@require_POST
def services_status_act(request: HttpRequest, case_id: int) -> HttpResponse:
    actor, origin = request.user, Origin.from_request(request)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")[:2000]
    selectors_status.case_get(actor=actor, case_id=case_id)  # 404 first for those who may not see it
    try:
        if action == "approve":
            class_id = _id(request.POST.get("to_class"))
            to_class = SchoolClass.objects.filter(pk=class_id).first() if class_id else None
            services_status.case_approve(actor=actor, case_id=case_id, note=note, to_class=to_class, origin=origin)
        elif action == "reject":
            services_status.case_reject(actor=actor, case_id=case_id, note=note, origin=origin)
        elif action == "supplement_request":
            services_status.case_supplement_request(actor=actor, case_id=case_id, note=note, origin=origin)
        elif action == "supplement":
            services_status.case_supplement(actor=actor, case_id=case_id, note=note, origin=origin)
        elif action == "withdraw":
            services_status.case_withdraw(actor=actor, case_id=case_id, note=note, origin=origin)
        else:
            return _case_page(request, case_id, error=ZhijiaoError(ServicesError.SERVICES_CASE_ACTION))
    except NotFound:
        raise
    except ZhijiaoError as exc:
        return _case_page(request, case_id, error=exc)
    return redirect("services-status-case", case_id=case_id)

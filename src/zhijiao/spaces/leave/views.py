"""请假 pages: /space/leave/ adapts to the person (a guardian's form and applications, a pupil's own leave, a 班主任's
applications to decide, links to the attendance of the classes they teach); /space/leave/class/<id>/ is a class's
attendance (today's absentees with their kind, the term's approved leave). Adapters: parse, call, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.spaces.leave import selectors, services
from zhijiao.spaces.leave.models import LeaveKind, LeavePart

BREADCRUMBS = [("我的空间", "/space/"), ("请假", "/space/leave/")]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def leave_home(request: HttpRequest) -> HttpResponse:
    actor = request.user
    kids = selectors.children(actor=actor)
    error, form = "", {"kind": str(LeaveKind.SICK), "part": str(LeavePart.FULL)}
    if request.method == "POST":
        form = request.POST.dict()
        try:
            services.leave_apply(
                actor=actor,
                student_id=form.get("student", ""),
                kind=form.get("kind", ""),
                part=form.get("part", str(LeavePart.FULL)),
                start=_day(form.get("start")),
                end=_day(form.get("end")),
                reason=form.get("reason", "")[:1000],
                origin=Origin.from_request(request),
            )
        except ZhijiaoError as exc:
            if exc.status != 400:
                raise
            error = exc.message
        else:
            messages.success(request, "请假申请已提交，等待班主任审批。")
            return redirect("spaces-leave")
    if not form.get("start"):
        form["start"] = timezone.localdate().isoformat()
    context = {
        "children": kids,
        "mine": list(selectors.guardian_list(actor=actor)[:50]) if kids else [],
        "own": list(selectors.pupil_list(actor=actor)[:50]),
        "pending": list(selectors.head_pending(actor=actor)),
        "decided": selectors.head_decided(actor=actor),
        "classes": selectors.attendance_classes(actor=actor),
        "kinds": LeaveKind.choices,
        "parts": LeavePart.choices,
        "form": form,
        "error": error,
        "today": timezone.localdate(),
        "breadcrumbs": [("我的空间", "/space/"), ("请假", None)],
    }
    return render(request, "spaces/leave/home.html", context, status=400 if error else 200)


@login_required
@require_POST
def leave_decide(request: HttpRequest, leave_id: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        services.leave_decide(
            actor=request.user,
            leave_id=leave_id,
            approve=approve,
            note=request.POST.get("note", "")[:1000],
            origin=Origin.from_request(request),
        )
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "已批准请假。" if approve else "已答复：不批准。")
    return redirect("spaces-leave")


@login_required
@require_POST
def leave_cancel(request: HttpRequest, leave_id: int) -> HttpResponse:
    try:
        services.leave_cancel(actor=request.user, leave_id=leave_id, origin=Origin.from_request(request))
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "请假申请已撤销。")
    return redirect("spaces-leave")


@login_required
def class_attendance(request: HttpRequest, class_id: int) -> HttpResponse:
    day = _day(request.GET.get("day")) or timezone.localdate()
    att = selectors.class_attendance(actor=request.user, class_id=class_id, day=day)
    context = {"att": att, "today": timezone.localdate(), "breadcrumbs": [*BREADCRUMBS, (att.label, None)]}
    return render(request, "spaces/leave/attendance.html", context)

"""健康档案 pages (decision 0055): the classes one enters for, a class's entry and import, a pupil's file, and
the psychology page (心理教师 and guardians only; every read audited)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.masking import mask_name
from zhijiao.growth import health
from zhijiao.growth.errors import GrowthError
from zhijiao.growth.models import PsychLevel
from zhijiao.growth.views import HOME, _fail, _origin
from zhijiao.growth.who import Relation
from zhijiao.org.selectors import class_display_name

HEALTH = ("健康档案", "/growth/health/")
FIELDS = ("height_cm", "weight_kg", "vision_left", "vision_right", "se_left", "se_right", "caries", "note")


@login_required
def health_home(request: HttpRequest) -> HttpResponse:
    classes = health.health_classes(actor=request.user)
    rows = [{"cls": c, "label": class_display_name(c)} for c in classes]
    return render(request, "growth/health_home.html", {"rows": rows, "breadcrumbs": [HOME, (HEALTH[0], None)]})


@login_required
def health_class(request: HttpRequest, class_id: int) -> HttpResponseBase:
    """A class's latest checks, the entry form (one row per pupil) and the file import."""
    outcome = None
    if request.method == "POST":
        try:
            upload = request.FILES.get("file")
            if upload is not None:
                outcome = health.health_import(
                    actor=request.user, class_id=class_id, data=upload.read(), name=upload.name or "",
                    origin=_origin(request),
                )  # fmt: skip
            else:
                day = request.POST.get("checked_on", "")
                rows: dict[int, dict[str, str]] = {}
                for key in request.POST:
                    name, _, sid = key.rpartition("_")
                    if name in FIELDS and sid.isdigit():
                        rows.setdefault(int(sid), {"checked_on": day})[name] = request.POST.get(key, "")
                for key in request.POST.getlist("glasses"):
                    if key.isdigit() and int(key) in rows:
                        rows[int(key)]["glasses"] = "是"
                outcome = health.health_class_save(
                    actor=request.user, class_id=class_id, rows=rows, origin=_origin(request)
                )
            if outcome.ok and outcome.saved:
                messages.success(request, f"已保存 {outcome.saved} 名学生的检查结果。")
                return redirect(f"/growth/health/classes/{class_id}/")
            if outcome.ok:
                messages.error(request, "没有填写任何检查结果。")
        except ZhijiaoError as exc:
            _fail(request, exc)
    klass, rows_ = health.health_class_rows(actor=request.user, class_id=class_id)
    label = f"{klass.school.name} {class_display_name(klass)}"
    checks = [c for _, c in rows_ if c is not None]
    decided = [c for c in checks if c.myopia is not None]
    context = {
        "klass": klass,
        "label": label,
        "rows": rows_,
        "outcome": outcome,
        "today": timezone.localdate().isoformat(),
        "checked": len(checks),
        "myopia_rate": round(100 * sum(1 for c in decided if c.myopia) / len(decided), 1) if decided else None,
        "breadcrumbs": [HOME, HEALTH, (label, None)],
    }
    return render(request, "growth/health_class.html", context)


@login_required
def health_pupil(request: HttpRequest, student_id: int) -> HttpResponse:
    student, found, checks, may_psych = health.health_pupil_file(actor=request.user, student_id=student_id)
    trend = {
        "labels": [c.checked_on.isoformat() for c in reversed(checks)],
        "left": [float(c.vision_left) if c.vision_left is not None else None for c in reversed(checks)],
        "right": [float(c.vision_right) if c.vision_right is not None else None for c in reversed(checks)],
        "height": [float(c.height_cm) if c.height_cm is not None else None for c in reversed(checks)],
    }
    context = {
        "student": student,
        "name": student.person.name,
        "label": class_display_name(student.school_class) if student.school_class else "",
        "checks": checks,
        "latest": checks[0] if checks else None,
        "may_psych": may_psych,
        "trend": trend,
        "breadcrumbs": [HOME, (student.person.name, f"/growth/pupils/{student.pk}/"), ("健康档案", None)],
        "staff_view": bool(found & {Relation.HEAD, Relation.TEACHER, Relation.SCHOOL}),
    }
    return render(request, "growth/health_pupil.html", context)


@login_required
def health_psych(request: HttpRequest, student_id: int) -> HttpResponseBase:
    """心理筛查: the school's 心理教师 reads and adds; the pupil's guardians read. Anyone else: 404."""
    if request.method == "POST":
        try:
            score_text = request.POST.get("score", "").strip()
            try:
                score = Decimal(score_text) if score_text else None
                day = date.fromisoformat(request.POST.get("screened_on", ""))
            except (InvalidOperation, ValueError) as exc:
                raise ZhijiaoError(GrowthError.GROWTH_DATE_INVALID, field="筛查日期或得分") from exc
            health.psych_screening_add(
                actor=request.user, student_id=student_id, screened_on=day,
                instrument=request.POST.get("instrument", ""), score=score, level=request.POST.get("level", ""),
                note=request.POST.get("note", ""), origin=_origin(request),
            )  # fmt: skip
            messages.success(request, "已记录心理筛查结果。")
        except ZhijiaoError as exc:
            _fail(request, exc)
        return redirect(f"/growth/health/pupils/{student_id}/psych/")
    student, rows = health.psych_screenings(actor=request.user, student_id=student_id, origin=_origin(request))
    counsellor = scope_for(request.user).counsels_school(student.school_id)
    summary = health.psych_school_summary(actor=request.user, school_id=student.school_id) if counsellor else None
    context = {
        "student": student,
        "name": student.person.name,
        "rows": rows,
        "counsellor": counsellor,
        "summary": summary,
        "min_group": health.PSYCH_MIN_GROUP,
        "levels": PsychLevel.choices,
        "today": timezone.localdate().isoformat(),
        "breadcrumbs": [
            HOME,
            (student.person.name, f"/growth/health/pupils/{student.pk}/"),
            ("心理筛查", None),
        ],
        "role_label": Role.PSYCH_TEACHER.label,
        "masked": mask_name(student.person.name),
    }
    return render(request, "growth/health_psych.html", context)

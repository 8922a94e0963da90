"""The 体质健康 pages under /growth/fitness/: a school's test rounds (open one, import the device export), a
round's figures and classes, a class's results, the district's figures, a pupil's results and trend, the export in
the national upload layout. Adapters: parse, call one selector or service, render."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.growth import selectors_fitness as sel
from zhijiao.growth import services
from zhijiao.org.models import Term

HOME = ("体质健康", "/growth/fitness/")
MAX_UPLOAD = 20 * 1024 * 1024
AREA_MAX_UPLOAD = 400 * 1024 * 1024  # a city's file: ≈ 1.5 million rows of CSV
TOKEN = re.compile(r"^[0-9a-f]{16}$")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _chart(f: sel.Figures) -> dict[str, Any]:
    return {"levels": list(sel.LEVELS), "counts": [f.levels[lv] for lv in sel.LEVELS]}


@login_required
def fitness_home(request: HttpRequest) -> HttpResponse:
    """The schools whose test rounds the account runs, one chosen: its rounds by term and the form to open one."""
    schools = sel.fitness_schools(actor=request.user)
    district = True
    try:
        sel.district_report(actor=request.user)
    except NotFound:
        district = False
    area_import = True
    try:
        services.fitness_area_divisions(request.user)
    except NotFound:
        area_import = False
    if not schools and not district:
        raise NotFound()
    chosen = next((s for s in schools if s.pk == _int(request.GET.get("school"))), schools[0] if schools else None)
    sessions = sel.sessions_of(actor=request.user, school_id=chosen.pk) if chosen else []
    context = {
        "schools": schools,
        "chosen": chosen,
        "sessions": sessions,
        "terms": Term.objects.select_related("school_year")[:6],
        "district": district,
        "area_import": area_import,
        "breadcrumbs": [("成长档案", "/growth/"), (HOME[0], None)],
    }
    return render(request, "growth/fitness_home.html", context)


@login_required
@require_POST
def fitness_session_new(request: HttpRequest) -> HttpResponseBase:
    school_id, term_id = _int(request.POST.get("school")), _int(request.POST.get("term"))
    if school_id is None or term_id is None:
        raise NotFound()
    try:
        session = services.fitness_session_create(
            actor=request.user, school_id=school_id, term_id=term_id, name=request.POST.get("name", ""),
            origin=Origin.from_request(request),
        )  # fmt: skip
    except ZhijiaoError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
        return redirect(f"/growth/fitness/?school={school_id}")
    messages.success(request, f"已建立测试“{session.name}”，请导入测试仪器导出的成绩文件。")
    return redirect(f"/growth/fitness/sessions/{session.pk}/")


@login_required
def fitness_session(request: HttpRequest, session_id: int) -> HttpResponse:
    """A test round: import, the school's figures and chart, the classes (names only for their teachers)."""
    outcome = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的成绩文件（.xlsx 或 .csv）。")
        elif upload.size and upload.size > MAX_UPLOAD:
            messages.error(request, "文件超过 20 MB，请分年级导出后分别导入。")
        else:
            try:
                outcome = services.fitness_results_import(
                    actor=request.user, session_id=session_id, data=upload.read(), name=upload.name or "",
                    origin=Origin.from_request(request),
                )  # fmt: skip
            except ZhijiaoError as exc:
                if exc.status != 400:
                    raise
                messages.error(request, exc.message)
            else:
                if outcome.ok:
                    messages.success(request, f"已导入 {outcome.imported} 名学生的成绩（共 {outcome.rows_in} 行）。")
                    return redirect(f"/growth/fitness/sessions/{session_id}/")
    page = sel.session_get(actor=request.user, session_id=session_id)
    s = page.session
    context: dict[str, Any] = {
        "page": page,
        "f": page.total,
        "chart": _chart(page.total),
        "outcome": outcome,
        "breadcrumbs": [HOME, (f"{s.school.name} · {s.term} · {s.name}", None)],
    }
    return render(request, "growth/fitness_session.html", context)


@login_required
def fitness_export(request: HttpRequest, session_id: int) -> HttpResponse:
    session, data = sel.session_export(actor=request.user, session_id=session_id)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"{session.school.name}{session.name}_国家学生体质健康标准数据上报.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def fitness_class(request: HttpRequest, session_id: int, class_id: int) -> HttpResponse:
    page = sel.class_results(actor=request.user, session_id=session_id, class_id=class_id)
    s = page.session
    rows = [
        {"r": r, "items": [(r.measurements.get(code, "—"), r.scores.get(code, "—")) for code, _ in page.items]}
        for r in page.rows
    ]
    context = {
        "page": page,
        "f": page.figures,
        "rows": rows,
        "chart": _chart(page.figures),
        "breadcrumbs": [HOME, (f"{s.term} · {s.name}", f"/growth/fitness/sessions/{s.pk}/"), (page.label, None)],
    }
    return render(request, "growth/fitness_class.html", context)


@login_required
def fitness_district(request: HttpRequest) -> HttpResponse:
    report = sel.district_report(actor=request.user, term_id=_int(request.GET.get("term")))
    chart = {
        "schools": [row["school"].name for row in report.schools],
        "series": {lv: [row["figures"].rates[lv] for row in report.schools] for lv in sel.LEVELS},
        "obesity": [row["figures"].obesity_rate for row in report.schools],
    }
    context = {
        "report": report,
        "chart": chart,
        "breadcrumbs": [HOME, ("区域体质健康统计", None)],
    }
    return render(request, "growth/fitness_district.html", context)


@login_required
def fitness_pupil(request: HttpRequest, student_id: int) -> HttpResponse:
    page = sel.pupil_results(actor=request.user, student_id=student_id)
    trend = {
        "labels": [r.session.name for r in page.rows],
        "totals": [float(r.total_score) for r in page.rows],
    }
    rows = [
        {"r": r, "items": [(r.measurements.get(code, "—"), r.scores.get(code, "—")) for code, _ in page.items]}
        for r in page.rows
    ]
    context = {
        "page": page,
        "rows": rows,
        "latest": page.rows[-1] if page.rows else None,
        "trend": trend,
        "breadcrumbs": [("成长档案", f"/growth/pupils/{student_id}/"), ("体质健康", None)],
    }
    return render(request, "growth/fitness_pupil.html", context)


def _report_dir() -> Path:
    path = Path(settings.HOME, "growth", "fitness-reports")
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
def fitness_area_import(request: HttpRequest) -> HttpResponse:
    """区域导入: a 测试中心's file for the whole area; each row goes to its pupil's school's round of the term."""
    divisions = services.fitness_area_divisions(request.user)
    terms = list(Term.objects.select_related("school_year")[:6])
    outcome = None
    report = ""
    term_id = _int(request.POST.get("term")) if request.method == "POST" else None
    name = request.POST.get("name", "") if request.method == "POST" else ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if term_id is None:
            messages.error(request, "请选择学期。")
        elif upload is None:
            messages.error(request, "请选择要导入的成绩文件（.xlsx 或 .csv）。")
        elif upload.size and upload.size > AREA_MAX_UPLOAD:
            messages.error(request, "文件超过 400 MB，请按学段或年级分开导入。")
        else:
            try:
                outcome = services.fitness_area_import(
                    actor=request.user, term_id=term_id, name=name, data=upload.read(),
                    filename=upload.name or "", origin=Origin.from_request(request),
                )  # fmt: skip
            except ZhijiaoError as exc:
                if exc.status != 400:
                    raise
                messages.error(request, exc.message)
            else:
                if outcome.ok:
                    messages.success(
                        request, f"已导入 {outcome.imported} 名学生的成绩，分属 {len(outcome.schools)} 所学校。"
                    )
                elif outcome.report:
                    report = secrets.token_hex(8)
                    path = _report_dir() / f"{request.user.pk}-{report}.csv"
                    path.write_text(outcome.report, encoding="utf-8")
    context = {
        "terms": terms,
        "form": {"term": term_id, "name": name},
        "outcome": outcome,
        "problems": outcome.problems[:200] if outcome else [],
        "report": report,
        "everywhere": divisions is None,
        "breadcrumbs": [HOME, ("区域导入成绩", None)],
    }
    return render(request, "growth/fitness_area_import.html", context)


@login_required
def fitness_area_report(request: HttpRequest, token: str) -> FileResponse:
    """The problem rows of the account's own last area import (the file back, 问题说明 first)."""
    services.fitness_area_divisions(request.user)
    if not TOKEN.match(token):
        raise NotFound()
    path = _report_dir() / f"{request.user.pk}-{token}.csv"
    if not path.exists():
        raise NotFound()
    return FileResponse(
        path.open("rb"), as_attachment=True, filename="体质测试成绩导入问题数据.csv",
        content_type="text/csv; charset=utf-8",
    )  # fmt: skip

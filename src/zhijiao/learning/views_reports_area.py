"""Report pages above the class (学情报告): the guardian's view, a school's and a district's report of one exam or
assignment, their xlsx exports and print views. Adapters: one selector in ``reports_area``, render."""

from __future__ import annotations

import io
from urllib.parse import quote

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.core.codes import code_name
from zhijiao.core.errors import Forbidden
from zhijiao.learning import reports_area as ra
from zhijiao.org.selectors import class_display_name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOME = ("学情报告", "/learning/reports/")
READERS = (Role.REGION_ADMIN, Role.SCHOOL_ADMIN, Role.RESEARCHER)


def _subject(a: object) -> str:
    return code_name("subject", a.subject) or a.subject  # type: ignore[attr-defined]


@login_required
def reports_home(request: HttpRequest) -> HttpResponse:
    """The list of reports the account reads: district exams, and a 学校管理员's own school's work."""
    if not scope_for(request.user).has_any(READERS):
        raise Forbidden("学情报告供学校管理员、区域管理员和教研员使用")
    district = [{"a": a, "subject": _subject(a), "node": node} for a, node in ra.district_exam_list(actor=request.user)]
    schools = [{"a": a, "subject": _subject(a), "school": s} for a, s in ra.school_assignment_list(actor=request.user)]
    # a 学校管理员 also reads each class's report (heatmap, items) of the school's work
    class_reports = scope_for(request.user).has_any((Role.SCHOOL_ADMIN,))
    context = {"district": district, "schools": schools, "class_reports": class_reports}
    return render(request, "learning/reports/home.html", context)


def _child_page(request: HttpRequest, student_id: int | None) -> HttpResponse:
    kids = ra.children(actor=request.user)
    if not kids:
        raise Forbidden("这里是家长查看孩子学习情况的页面")
    student = ra.child_first(kids) if student_id is None else ra.child_get(actor=request.user, student_id=student_id)
    summary = ra.child_summary(actor=request.user, student=student)
    own = student.person_id == getattr(request.user, "person_id", None)
    context = {"s": summary, "kids": kids if len(kids) > 1 else [], "own": own}
    return render(request, "learning/reports/child.html", context)


@login_required
def child_home(request: HttpRequest) -> HttpResponse:
    return _child_page(request, None)


@login_required
def child_page(request: HttpRequest, student_id: int) -> HttpResponse:
    return _child_page(request, student_id)


def _context(report: ra.AreaReport) -> dict[str, object]:
    a = report.assignment
    return {
        "r": report,
        "a": a,
        "subject": _subject(a),
        "chart": report.chart(),
        "chart_height": max(280, 60 + 44 * len(report.chart()["groups"])),
        "rows": report.groups,
        "breadcrumbs": [HOME],
    }


@login_required
def school_report(request: HttpRequest, assignment_id: int, school_id: int) -> HttpResponse:
    report = ra.school_report(actor=request.user, assignment_id=assignment_id, school_id=school_id)
    return render(request, "learning/reports/area.html", _context(report))


@login_required
def district_report(request: HttpRequest, assignment_id: int) -> HttpResponse:
    report = ra.district_report(actor=request.user, assignment_id=assignment_id)
    return render(request, "learning/reports/area.html", _context(report))


@login_required
def class_pupils(request: HttpRequest, assignment_id: int, class_id: int) -> HttpResponse:
    assignment, klass, rows = ra.class_pupils(actor=request.user, assignment_id=assignment_id, class_id=class_id)
    context = {
        "a": assignment,
        "klass": klass,
        "class_name": class_display_name(klass),
        "rows": rows,
        "back": f"/learning/reports/assignments/{assignment.pk}/schools/{klass.school_id}/",
        "breadcrumbs": [HOME],
    }
    return render(request, "learning/reports/class_pupils.html", context)


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v}%"


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def workbook(report: ra.AreaReport) -> bytes:
    """The report as an xlsx workbook: 成绩概况 (one row per group and the total) and 知识点掌握 (groups × points).
    Aggregates only: no pupil appears, whoever downloads it."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF9"})
    unit = "班级" if report.level == "school" else "学校"
    sheet = book.add_worksheet("成绩概况")
    header = [unit, "应考人数", "实考人数", "平均分", "得分率", "最高分", "最低分", "优秀率", "及格率", "低分率"]
    header += [f"得分率{b}" for b in ra.BAND_LABELS]
    sheet.write_row(0, 0, header, bold)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, len(header), 11)

    def figures_row(name: str, f: ra.Figures) -> list[str]:
        if f.hidden:
            return [name, str(f.assigned), f.hidden]
        return [
            name,
            str(f.assigned),
            str(f.n),
            _num(f.mean),
            _pct(f.mean_rate),
            _num(f.high),
            _num(f.low),
            _pct(f.excellent_rate),
            _pct(f.pass_rate),
            _pct(f.low_rate),
            *[str(b) for b in f.bands],
        ]

    row = 1
    for g in report.groups:
        sheet.write_row(row, 0, figures_row(g.name, g.figures))
        row += 1
    sheet.write_row(row, 0, figures_row(f"{report.place}（合计）", report.total), bold)
    row += 2
    a = report.assignment
    sheet.write_string(row, 0, f"{a.title} · {_subject(a)} · 满分 {_num(report.total.max_score)}")
    sheet.write_string(
        row + 1,
        0,
        f"优秀：得分率≥85%；及格：≥60%；低分：<40%。少于 {ra.SMALL_GROUP} 人的{unit}不单独显示。",
    )
    points = book.add_worksheet("知识点掌握")
    points.write_row(0, 0, [unit, *[p.name for p in report.points]], bold)
    points.set_column(0, 0, 24)
    points.set_column(1, len(report.points), 14)
    row = 1
    for g in report.groups:
        cells = (
            [g.figures.hidden] if g.figures.hidden else [_pct(None if v is None else round(v * 100)) for v in g.cells]
        )
        points.write_row(row, 0, [g.name, *cells])
        row += 1
    totals = [_pct(None if v is None else round(v * 100)) for v in report.total_mastery]
    points.write_row(row, 0, [f"{report.place}（合计）", *totals], bold)
    book.close()
    return out.getvalue()


def _xlsx(report: ra.AreaReport, name: str) -> HttpResponse:
    response = HttpResponse(workbook(report), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def school_export(request: HttpRequest, assignment_id: int, school_id: int) -> HttpResponse:
    report = ra.school_report(actor=request.user, assignment_id=assignment_id, school_id=school_id)
    return _xlsx(report, f"{report.place}_{report.assignment.title}_学情报告.xlsx")


@login_required
def district_export(request: HttpRequest, assignment_id: int) -> HttpResponse:
    report = ra.district_report(actor=request.user, assignment_id=assignment_id)
    return _xlsx(report, f"{report.place}_{report.assignment.title}_区域学情报告.xlsx")

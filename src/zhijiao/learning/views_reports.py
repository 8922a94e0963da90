"""The 学情 report pages: a class's report for one assignment (heatmap, items, groups, what to re-teach, what
moved), its xlsx export and print view, a pupil's report and "为什么是这个数". Adapters: parse, call one selector,
render; the figures were computed by the refit job (``learning.refit``)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from zhijiao.access.scope import scope_for
from zhijiao.audit.xlsx import xlsx_stream
from zhijiao.learning import report_selectors as sel
from zhijiao.learning import views_reports_area
from zhijiao.learning.models import MasteryModel
from zhijiao.learning.views_reports_area import READERS as AREA_READERS
from zhijiao.org.selectors import class_display_name

HOME = ("学情报告", "/learning/reports/")


def _int(value: str | None) -> int | None:
    try:
        n = int(value or "")
    except ValueError:
        return None
    return n if 0 < n < 2**31 else None


@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    """学情报告: school administrators, the bureau and 教研员 land on the exam reports per school and district
    (``views_reports_area``); teachers on their classes' reports; a pupil on their own."""
    if scope_for(request.user).has_any(AREA_READERS):
        return views_reports_area.reports_home(request)
    return class_index(request)


@login_required
def class_index(request: HttpRequest) -> HttpResponse:
    index = sel.report_index(actor=request.user)
    if index.own_student_id and not index.classes:
        return redirect(f"/learning/reports/student/{index.own_student_id}/")
    return render(request, "learning/report_index.html", {"index": index, "breadcrumbs": [("学情报告", None)]})


@login_required
def class_report(request: HttpRequest, class_id: int) -> HttpResponse:
    page = sel.class_report(
        actor=request.user,
        class_id=class_id,
        assignment_id=_int(request.GET.get("assignment")),
        compare_id=_int(request.GET.get("compare")),
    )
    bins = page.data.get("bins", [])
    peak = max(bins) if bins else 0
    context = {
        "page": page,
        "d": page.data,
        "bins": [
            {
                "label": f"{i * 10}–{i * 10 + 10 if i < 9 else 100}%",
                "count": c,
                "height": round(c / peak * 100) if peak else 0,
            }
            for i, c in enumerate(bins)
        ],
        "breadcrumbs": [HOME, (class_display_name(page.school_class), None)],
    }
    return render(request, "learning/report_class.html", context)


@login_required
def class_report_export(request: HttpRequest, class_id: int) -> StreamingHttpResponse:
    page = sel.class_report(actor=request.user, class_id=class_id, assignment_id=_int(request.GET.get("assignment")))
    header, rows = sel.class_report_rows(page)
    widths = [12, 8, *[16] * (len(header) - 2)]
    response = StreamingHttpResponse(
        xlsx_stream(header, rows, sheet="学情报告", widths=widths),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    title = page.assignment.title if page.assignment else "学情报告"
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(f'{class_display_name(page.school_class)}{title}学情报告.xlsx')}"
    )
    return response


@login_required
def pupil_report(request: HttpRequest, student_id: int) -> HttpResponse:
    report = sel.pupil_report(actor=request.user, student_id=student_id)
    peak = 100
    context = {
        "r": report,
        "trend": [{**t, "height": max(round(t["pct"] / peak * 100), 2)} for t in report.trend],
        "breadcrumbs": [HOME, (f"{report.name}的学情报告", None)],
    }
    return render(request, "learning/report_pupil.html", context)


@login_required
def mastery_why(request: HttpRequest, student_id: int, point_id: int) -> HttpResponse:
    ex = sel.explanation(actor=request.user, student_id=student_id, point_id=point_id)
    context = {
        "ex": ex,
        "cdm": MasteryModel.CDM,
        "breadcrumbs": [
            HOME,
            (f"{ex.name}的学情报告", f"/learning/reports/student/{student_id}/"),
            ("为什么是这个数", None),
        ],
    }
    return render(request, "learning/report_why.html", context)

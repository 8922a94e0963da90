"""The statistics pages: a node's panels with drill-down region → district → school → grade, each panel's data as
xlsx, and a printable report of a node."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from zhijiao.analytics import export, selectors
from zhijiao.analytics.views_pending import snapshot_pending
from zhijiao.audit.services import Origin
from zhijiao.core.class_size import CLASS_SIZE_BANDS, LARGE_CLASS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _band_series(bands: list[dict]) -> dict:
    counts = {label: 0 for _low, _high, label in CLASS_SIZE_BANDS}  # every band, empty ones too
    counts.update({b["band"]: b["classes"] for b in bands})
    return {"names": list(counts), "classes": list(counts.values())}


def _charts(dashboard: dict) -> dict:
    """Series for the page's ECharts panels (rendered by analytics.js from a json_script block)."""
    figures = dashboard["figures"]
    return {
        "stages": {
            "names": [s["stage_name"] for s in figures["by_stage"]],
            "students": [s["students"] for s in figures["by_stage"]],
            "mean": [s["mean_class_size"] for s in figures["by_stage"]],
            "large_class": LARGE_CLASS,
        },
        "bands": _band_series(dashboard["bands"]),
        "sex": [{"name": r["sex_name"], "value": r["students"]} for r in dashboard["sex"]],
        "study_mode": [{"name": r["study_mode_name"], "value": r["students"]} for r in dashboard["study_mode"]],
        "staff": {
            "names": [r["category_name"] for r in dashboard["staff_categories"]],
            "staff": [r["staff"] for r in dashboard["staff_categories"]],
        },
        "trend": {
            "dates": [r["snapshot_date"] for r in dashboard["trend"]],
            "students": [r["students"] for r in dashboard["trend"]],
            "staff": [r["staff"] for r in dashboard["trend"]],
            "classes": [r["classes"] for r in dashboard["trend"]],
        },
        "learning": {
            "days": [r["day"] for r in dashboard["learning"]["daily"]],
            "statements": [r["statements"] for r in dashboard["learning"]["daily"]],
            "learners": [r["learners"] for r in dashboard["learning"]["daily"]],
        },
    }


def _grade_charts(dashboard: dict) -> dict:
    return {
        "classes": {
            "names": [c["name"] for c in dashboard["classes"]],
            "boys": [c["boys"] for c in dashboard["classes"]],
            "girls": [c["girls"] for c in dashboard["classes"]],
            "sizes": [c["size"] for c in dashboard["classes"]],
            "large_class": LARGE_CLASS,
        },
        "bands": _band_series(dashboard["bands"]),
        "sex": [{"name": r["sex_name"], "value": r["students"]} for r in dashboard["sex"]],
        "study_mode": [{"name": r["study_mode_name"], "value": r["students"]} for r in dashboard["study_mode"]],
        "trend": {
            "dates": [r["snapshot_date"] for r in dashboard["trend"]],
            "students": [r["students"] for r in dashboard["trend"]],
            "classes": [r["classes"] for r in dashboard["trend"]],
        },
    }


def _crumbs(node: dict, readable: set[str], grade_name: str = "") -> list[tuple[str, str | None]]:
    """统计分析 › each level down to the node; levels outside the actor's scope are plain text, not links."""
    crumbs: list[tuple[str, str | None]] = [("统计分析", "/analytics/")]
    crumbs += [(p["name"], f"/analytics/{p['code']}/" if p["code"] in readable else None) for p in node["path"]]
    if grade_name:
        crumbs.append((grade_name, None))
    crumbs[-1] = (crumbs[-1][0], None)
    return crumbs


def _base(node: dict, grade: str = "") -> str:
    """The node's URL; its export and report URLs hang below it."""
    base = f"/analytics/{node['code']}/" if node["code"] else "/analytics/"
    return f"{base}grade/{grade}/" if grade else base


def _node_context(dashboard: dict, actor) -> dict[str, Any]:
    node = dashboard["figures"]["node"]
    readable = selectors.node_path_readable(actor=actor, node=node)
    return {
        **dashboard,
        "node": node,
        "charts": _charts(dashboard),
        "breadcrumbs": _crumbs(node, readable),
        "base": _base(node),
        "large_percent": round(100 * (dashboard["figures"]["large_class_share"] or 0), 1),
    }


def _grade_context(dashboard: dict, actor) -> dict[str, Any]:
    node = dashboard["figures"]["node"]
    readable = selectors.node_path_readable(actor=actor, node=node)
    return {
        **dashboard,
        "node": node,
        "charts": _grade_charts(dashboard),
        "breadcrumbs": _crumbs(node, readable, node["grade_name"]),
        "base": _base(node, node["grade"]),
    }


def _figure_text(value: Any, unit: str) -> tuple[str, str]:
    """(value, unit) as a report tile shows them: ratios as 16.7 : 1, nothing as —."""
    if value is None:
        return "—", ""
    if unit.startswith("学生/"):
        return f"{export.display(value)} : 1", ""
    return export.display(value), unit


@login_required
@snapshot_pending
def overview(request: HttpRequest, code: str = "") -> HttpResponse:
    dashboard = selectors.node_dashboard(actor=request.user, node=code)
    return render(request, "analytics/overview.html", _node_context(dashboard, request.user))


@login_required
@snapshot_pending
def grade_page(request: HttpRequest, code: str, grade: str) -> HttpResponse:
    dashboard = selectors.grade_dashboard(actor=request.user, school=code, grade=grade)
    return render(request, "analytics/grade.html", _grade_context(dashboard, request.user))


@login_required
@snapshot_pending
def report(request: HttpRequest, code: str = "", grade: str = "") -> HttpResponse:
    if grade:
        context = _grade_context(selectors.grade_dashboard(actor=request.user, school=code, grade=grade), request.user)
        panels = export.grade_panels(context)
        title = f"{context['node']['name']}{context['node']['grade_name']}"
    else:
        context = _node_context(selectors.node_dashboard(actor=request.user, node=code), request.user)
        panels = export.node_panels(context)
        title = context["node"]["name"]
    return render(
        request,
        "analytics/report.html",
        {
            **context,
            "title": title,
            "grade": grade,
            # the key figures are the report's tiles; the other panels its tables
            "figure_rows": [(label, *_figure_text(value, unit)) for label, value, unit in panels[0].rows],
            "panels": [export.display_table(p) for p in panels[1:]],
            "generated": timezone.localtime(),
        },
    )


@login_required
@snapshot_pending
def download(request: HttpRequest, panel: str, code: str = "", grade: str = "") -> HttpResponse:
    found = export.analytics_export(
        actor=request.user, node=code, grade=grade, panel=panel, origin=Origin.from_request(request)
    )
    return HttpResponse(
        found.content,
        content_type=XLSX,
        headers={
            "Content-Disposition": content_disposition_header(as_attachment=True, filename=found.filename),
            "Cache-Control": "no-store",
        },
    )

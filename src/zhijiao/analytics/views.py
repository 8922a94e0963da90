"""The statistics overview page: one node's panels, with drill-down region → district → school → grade."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhijiao.analytics import selectors
from zhijiao.analytics.metrics import CLASS_SIZE_BANDS


def _charts(dashboard: dict) -> dict:
    """Series for the page's ECharts panels (rendered by analytics.js from a json_script block)."""
    figures = dashboard["figures"]
    bands = {label: 0 for _low, _high, label in CLASS_SIZE_BANDS}  # every band, empty ones too
    bands.update({b["band"]: b["classes"] for b in dashboard["bands"]})
    return {
        "stages": {
            "names": [s["stage_name"] for s in figures["by_stage"]],
            "students": [s["students"] for s in figures["by_stage"]],
            "mean": [s["mean_class_size"] for s in figures["by_stage"]],
        },
        "bands": {"names": list(bands), "classes": list(bands.values())},
        "sex": [{"name": r["sex_name"], "value": r["students"]} for r in dashboard["sex"]],
        "study_mode": [{"name": r["study_mode_name"], "value": r["students"]} for r in dashboard["study_mode"]],
        "trend": {
            "dates": [r["snapshot_date"] for r in dashboard["trend"]],
            "students": [r["students"] for r in dashboard["trend"]],
            "staff": [r["staff"] for r in dashboard["trend"]],
            "classes": [r["classes"] for r in dashboard["trend"]],
        },
    }


@login_required
def overview(request: HttpRequest, code: str = "") -> HttpResponse:
    dashboard = selectors.node_dashboard(actor=request.user, node=code)
    node = dashboard["figures"]["node"]
    crumbs: list[tuple[str, str | None]] = [("统计分析", "/analytics/")]
    crumbs += [(p["name"], f"/analytics/{p['code']}/") for p in node["path"]]
    crumbs[-1] = (crumbs[-1][0], None)
    return render(
        request,
        "analytics/overview.html",
        {
            **dashboard,
            "node": node,
            "charts": _charts(dashboard),
            "breadcrumbs": crumbs,
            "large_percent": round(100 * (dashboard["figures"]["large_class_share"] or 0), 1),
        },
    )

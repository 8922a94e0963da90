"""The 成长与健康 panel of the statistics page (decision 0055-health-file): 体质优良率, 近视率 and 综合素质评价完成率 of
the node, and per school (or per class, or per division) side by side. Aggregates only; ``node_dashboard`` has
already checked that the caller may read the node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zhijiao.analytics.metrics_growth import GROWTH_METRICS, rate

RowsOf = Callable[[str, Callable[..., Any]], list[dict[str, Any]]]


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "fitness_tested": row.get("fitness_tested") or 0,
        "fitness_good_rate": rate(row.get("fitness_good"), row.get("fitness_tested")),
        "vision_checked": row.get("vision_checked") or 0,
        "myopia_rate": rate(row.get("myopic"), row.get("vision_decided")),
        "pupils": row.get("pupils") or 0,
        "completion_rate": rate(row.get("reviews_done"), row.get("pupils")),
    }


def growth_panel(rows_of: RowsOf, node: dict[str, Any], child_name: Callable[[str], str]) -> dict[str, Any]:
    """``rows_of(name, build)`` runs a metric for the node; ``child_name`` names a child key (school code, class id
    or division code)."""
    totals = rows_of("growth_totals", GROWTH_METRICS["growth_totals"])
    total = _figures(totals[0] if totals else {})
    children = [
        {"name": child_name(r["child"]), **_figures(r)}
        for r in rows_of("growth_by_child", GROWTH_METRICS["growth_by_child"])
    ]
    kind, code = node["kind"], node["code"]
    return {
        **total,
        "any": bool(total["fitness_tested"] or total["vision_checked"] or total["completion_rate"]),
        "children": [c for c in children if c["pupils"] or c["fitness_tested"] or c["vision_checked"]],
        "child_label": "班级" if kind == "school" else ("学校" if len(code) == 6 else "下级区域"),
    }

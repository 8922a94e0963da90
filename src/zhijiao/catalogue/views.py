"""Pages of the data resource catalogue and of data quality. Each view parses input, calls selectors, renders."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhijiao.catalogue import quality, selectors
from zhijiao.core.paging import paginate

SCHOOLS_PER_PAGE = 20


def _chart(overview: selectors.QualityOverview) -> dict:
    """Series for the per-dataset bar chart: the three measures side by side."""
    return {
        "names": [d.name for d, _ in overview.datasets],
        "completeness": [round(q.completeness, 1) for _, q in overview.datasets],
        "validity": [round(q.validity, 1) for _, q in overview.datasets],
        "timeliness": [round(q.timeliness, 1) for _, q in overview.datasets],
    }


@login_required
def catalogue_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.dataset_list(actor=request.user)
    scored = [r.quality.score for r in rows if r.quality]
    return render(
        request,
        "catalogue/dataset_list.html",
        {
            "rows": rows,
            "items": sum(r.items for r in rows),
            "personal_items": sum(r.personal_items for r in rows),
            "open_datasets": sum(1 for r in rows if r.dataset.sharing == "open"),
            "mean_score": sum(scored) / len(scored) if scored else None,
            "breadcrumbs": [("数据资源目录", None)],
        },
    )


@login_required
def catalogue_detail(request: HttpRequest, code: str) -> HttpResponse:
    detail = selectors.dataset_detail(actor=request.user, code=code)
    return render(
        request,
        "catalogue/dataset_detail.html",
        {
            "detail": detail,
            "dataset": detail.dataset,
            "breadcrumbs": [("数据资源目录", "/catalogue/"), (detail.dataset.name, None)],
        },
    )


@login_required
def quality_page(request: HttpRequest) -> HttpResponse:
    overview = selectors.quality_overview(actor=request.user)
    codes = {d.code: d for d, _ in overview.datasets}
    chosen = request.GET.get("dataset", "")
    chosen = chosen if chosen in codes else ""
    schools = selectors.quality_by_school(actor=request.user, dataset=chosen or None)
    page, _ = paginate(request, schools, SCHOOLS_PER_PAGE)  # the query string keeps only a known dataset
    return render(
        request,
        "catalogue/quality.html",
        {
            "overview": overview,
            "chart": _chart(overview),
            "page_obj": page,
            "querystring": urlencode({"dataset": chosen}) if chosen else "",
            "chosen": codes.get(chosen),
            "weights": quality.WEIGHTS,
            "zero_at": quality.ZERO_AT_CYCLES,
            "recent_batches": quality.RECENT_BATCHES,
            "breadcrumbs": [("数据质量", None)],
        },
    )

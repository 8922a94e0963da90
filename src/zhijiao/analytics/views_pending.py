"""The statistics pages before there is a warehouse snapshot to read (a new platform, or its files gone): instead
of the operator's message, the page queues a snapshot (:func:`tasks.snapshot_when_missing`, once however many ask)
and says plainly that the figures are being made, with a link to look again. Operators learn it from
``zhijiao check`` and the log; the API keeps its 503 with the command (its callers are systems)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhijiao.analytics import selectors, tasks
from zhijiao.analytics.errors import AnalyticsError
from zhijiao.core.errors import ZhijiaoError

NO_SNAPSHOT = frozenset({AnalyticsError.ANALYTICS_NO_SNAPSHOT, AnalyticsError.ANALYTICS_SNAPSHOT_FILES_MISSING})
RETRY_AFTER_SECONDS = 60


def snapshot_pending(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a statistics page: no snapshot → 403 for accounts without statistics (as with one), else a job is
    queued and the neutral 正在生成 page answers 503 with ``Retry-After``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ZhijiaoError as exc:
            if exc.error not in NO_SNAPSHOT:
                raise
        selectors.node_default(actor=request.user)  # Forbidden for accounts without statistics
        tasks.snapshot_when_missing()
        response = render(
            request,
            "analytics/pending.html",
            {"again": request.get_full_path(), "breadcrumbs": [("统计分析", None)]},
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper

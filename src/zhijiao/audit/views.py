"""The audit administrator's pages: the filtered log, its chain status and its export. Adapters only."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhijiao.audit.actions import (
    CHANNEL_LABELS,
    GROUPS,
    RESULT_LABELS,
    TARGET_LABELS,
    action_choices,
    action_info,
    field_labels,
)
from zhijiao.audit.exports import audit_export, csv_stream, xlsx_bytes
from zhijiao.audit.selectors import AuditFilters, audit_action_codes, audit_chain_status, audit_event_list
from zhijiao.audit.services import Origin
from zhijiao.core.paging import paginate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> AuditFilters:
    get = request.GET
    return AuditFilters(
        since=_date(get.get("since")),
        until=_date(get.get("until")),
        account=get.get("account", "").strip()[:150],
        action=get.get("action", "").strip()[:64],
        result=get.get("result", ""),
        ip=get.get("ip", "").strip()[:45],
        target=get.get("target", "").strip()[:128],
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    events = audit_event_list(actor=request.user, filters=filters)
    page, querystring = paginate(request, events, per_page=PER_PAGE)
    rows = [
        {
            "event": e,
            "info": action_info(e.action),
            "fields": "、".join(field_labels(list(e.fields or []))),
            "channel": CHANNEL_LABELS.get(e.channel, e.channel),
            "target_type": TARGET_LABELS.get(e.target_type, e.target_type),
        }
        for e in page
    ]
    groups = {label: prefix for prefix, label in reversed(GROUPS.items())}  # each group's first prefix
    return render(
        request,
        "audit/audit_log.html",
        {
            "page_obj": page,
            "rows": rows,
            "querystring": querystring,
            "filters": filters,
            "action_groups": [
                (label, groups.get(label, ""), infos) for label, infos in action_choices(audit_action_codes())
            ],
            "results": RESULT_LABELS.items(),
            "breadcrumbs": [("审计日志", None)],
        },
    )


@login_required
def audit_chain(request: HttpRequest) -> HttpResponse:
    """The chain status box, loaded after the page (verification walks the whole log)."""
    status = audit_chain_status(actor=request.user, fresh=request.GET.get("fresh") == "1")
    return render(request, "audit/_chain.html", {"status": status})


@login_required
def audit_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    export = audit_export(actor=request.user, filters=_filters(request), fmt="csv", origin=Origin.from_request(request))
    response = StreamingHttpResponse(csv_stream(export.rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.csv"'
    return response


@login_required
def audit_export_xlsx(request: HttpRequest) -> StreamingHttpResponse:
    export = audit_export(
        actor=request.user, filters=_filters(request), fmt="xlsx", origin=Origin.from_request(request)
    )
    response = StreamingHttpResponse(xlsx_bytes(export.rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    return response

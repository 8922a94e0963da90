"""校外培训机构 pages. The bureau: the list with its filters, the import and the registration form, and one
institution with its status, staff, inspections and complaints. Everyone, without signing in: the query page, one
institution's public card, and the open-data export (CSV or JSON, as an attachment). The public pages are throttled
per client address (``intake.ratelimit``: ``PUBLIC_RATE`` requests a minute).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.intake.ratelimit import RateLimited, rate_limit_hit
from zhijiao.services import selectors_institutions as sel
from zhijiao.services import services_institutions as svc
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import InspectionResult, InstitutionStatus

PUBLIC_RATE = 60  # requests per minute per address: a family's searches, not a scraper's
EXPORT_COLUMNS = (
    ("licence_no", "办学许可证号"),
    ("name", "机构名称"),
    ("district", "所在区县"),
    ("district_code", "区县代码"),
    ("address", "办学地址"),
    ("subjects", "培训科目"),
    ("category", "类别"),
    ("phone", "联系电话"),
    ("status_label", "状态"),
    ("status_note", "状态说明"),
    ("status_on", "状态日期"),
    ("staff_count", "从业人员数"),
    ("qualified_count", "持证人数"),
    ("last_inspection_on", "最近检查日期"),
    ("last_inspection", "最近检查结果"),
)
CRUMBS = [("网上办事", None), ("校外培训机构", "/services/institutions/")]


def _int(value: str | None, default: int | None = None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else default


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public page or file, throttled per client: past the limit a Chinese "try again shortly" page (429)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            _throttle(request)
        except RateLimited as exc:
            response = render(
                request, "services/public_busy.html", {"retry": exc.retry_after, "nav": "institutions"}, status=429
            )
            response["Retry-After"] = str(exc.retry_after)
            return response
        return view(request, *args, **kwargs)

    return wrapped


def _throttle(request: HttpRequest) -> None:
    # The last X-Forwarded-For entry is the one our reverse proxy appended (the address it saw); the first ones are
    # whatever the client sent, so a scraper rotating them would otherwise get a fresh allowance each time.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = forwarded.split(",")[-1].strip() if forwarded else request.META.get("REMOTE_ADDR", "")
    rate_limit_hit(bucket="institutions-public", client=client or "unknown", limit=PUBLIC_RATE)


def _filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "")[:40] for k in ("q", "division", "subject", "status")}


def _require_bureau(request: HttpRequest) -> None:
    if not sel.may_manage(actor=request.user):
        raise Forbidden()


# ------------------------------------------------------------------------------------------------ bureau
def _list_page(
    request: HttpRequest, *, error: ZhijiaoError | None = None, form: dict | None = None, imported: dict | None = None
) -> HttpResponse:
    filters = _filters(request)
    context = {
        "rows": sel.institution_list(actor=request.user, **filters),
        "filters": filters,
        "districts": sel.governed_districts(actor=request.user),
        "subjects": sel.SUBJECTS,
        "statuses": InstitutionStatus.choices,
        "error": error,
        "form": form or {},
        "imported": imported,
        "columns": list(svc.COLUMNS),
        "breadcrumbs": [("网上办事", None), ("校外培训机构", None)],
    }
    return render(request, "services/institution_list.html", context, status=error.status if error else 200)


@login_required
def services_institutions(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    return _list_page(request)


@login_required
@require_POST
def services_institution_create(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    form = {f: request.POST.get(f, "")[:300] for f in svc.COLUMNS.values()}
    try:
        row = svc.institution_save(actor=request.user, values=form, origin=Origin.from_request(request))
    except ZhijiaoError as exc:
        return _list_page(request, error=exc, form=form)
    return redirect("services-institution", institution_id=row.pk)


@login_required
@require_POST
def services_institution_import(request: HttpRequest) -> HttpResponse:
    _require_bureau(request)
    upload = request.FILES.get("file")
    try:
        if upload is None or upload.size is None or upload.size > svc.MAX_BYTES:
            raise ZhijiaoError(ServicesError.SERVICES_INSTITUTION_FILE, detail="请选择不超过 10 MB 的 xlsx 或 CSV 文件")
        counts = svc.institutions_import(
            actor=request.user, data=upload.read(), filename=upload.name or "", origin=Origin.from_request(request)
        )
    except ZhijiaoError as exc:
        return _list_page(request, error=exc)
    return _list_page(request, imported=counts)


def _detail_page(request: HttpRequest, institution_id: int, *, error: ZhijiaoError | None = None) -> HttpResponse:
    row = sel.institution_get(actor=request.user, institution_id=institution_id)
    context = {
        "row": row,
        "staff": list(row.staff.all()),
        "inspections": list(row.inspections.all()),
        "complaints": list(row.complaints.all()),
        "districts": sel.governed_districts(actor=request.user),
        "statuses": InstitutionStatus.choices,
        "results": InspectionResult.choices,
        "error": error,
        "today": date.today().isoformat(),  # noqa: DTZ011  (a form default, local day)
        "breadcrumbs": [*CRUMBS, (row.name, None)],
    }
    return render(request, "services/institution_detail.html", context, status=error.status if error else 200)


@login_required
def services_institution(request: HttpRequest, institution_id: int) -> HttpResponse:
    _require_bureau(request)
    return _detail_page(request, institution_id)


@login_required
@require_POST
def services_institution_act(request: HttpRequest, institution_id: int) -> HttpResponse:
    _require_bureau(request)
    actor, origin, post = request.user, Origin.from_request(request), request.POST
    sel.institution_get(actor=actor, institution_id=institution_id)  # 404 outside the bureau's districts
    action = post.get("action", "")
    try:
        if action == "update":
            values = {f: post.get(f, "")[:300] for f in svc.COLUMNS.values()}
            svc.institution_save(actor=actor, values=values, institution_id=institution_id, origin=origin)
        elif action == "status":
            svc.institution_status_set(
                actor=actor,
                institution_id=institution_id,
                status=post.get("status", ""),
                note=post.get("status_note", "")[:300],
                origin=origin,
            )
        elif action == "staff":
            svc.staff_add(
                actor=actor,
                institution_id=institution_id,
                name=post.get("name", "")[:100],
                subject=post.get("subject", "")[:100],
                qualification=post.get("qualification", "")[:100],
                certificate_no=post.get("certificate_no", "")[:100],
                origin=origin,
            )
        elif action == "inspection":
            svc.inspection_add(
                actor=actor,
                institution_id=institution_id,
                on=_date(post.get("on")),
                result=post.get("result", ""),
                note=post.get("note", "")[:600],
                origin=origin,
            )
        elif action == "complaint":
            svc.complaint_add(
                actor=actor,
                institution_id=institution_id,
                on=_date(post.get("on")),
                summary=post.get("summary", "")[:600],
                outcome=post.get("outcome", "")[:600],
                origin=origin,
            )
        else:
            raise NotFound()
    except NotFound:
        raise
    except ZhijiaoError as exc:
        return _detail_page(request, institution_id, error=exc)
    return redirect("services-institution", institution_id=institution_id)


# ------------------------------------------------------------------------------------------------ public
@_public
def services_institutions_public(request: HttpRequest) -> HttpResponse:
    """The public query: anyone, no sign-in; only public facts."""
    filters = _filters(request)
    page = _int(request.GET.get("page"), 1) or 1
    rows, total, pages = sel.public_search(**filters, page=page)
    context = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "filters": filters,
        "districts": sel.public_districts(),
        "subjects": sel.SUBJECTS,
        "statuses": InstitutionStatus.choices,
        "searched": any(filters.values()),
    }
    context["nav"] = "institutions"
    return render(request, "services/institution_public.html", context)


@_public
def services_institution_public(request: HttpRequest, institution_id: int) -> HttpResponse:
    row, staff = sel.public_get(institution_id=institution_id)
    return render(
        request, "services/institution_public_detail.html", {"row": row, "staff": staff, "nav": "institutions"}
    )


@_public
def services_institutions_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The open-data export: every institution's public fields, as a download (never shown inline)."""
    if fmt not in ("csv", "json"):
        raise NotFound()
    # the same bytes for everyone until the registry changes: built once, then served from the cache
    key = f"zj:institutions-export:{fmt}:{sel.public_version()}"
    body = caches["default"].get(key)
    if body is None:
        body = _export_body(fmt)
        caches["default"].set(key, body, timeout=3600)
    content_type = "application/json" if fmt == "json" else "text/csv"
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="training-institutions.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _export_body(fmt: str) -> bytes:
    rows = sel.public_all()
    if fmt == "json":
        items = [{key: _plain(asdict(r)[key]) for key, _ in EXPORT_COLUMNS} for r in rows]
        text = json.dumps({"count": len(items), "fields": dict(EXPORT_COLUMNS), "items": items}, ensure_ascii=False)
        return text.encode("utf-8")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in EXPORT_COLUMNS])
    for r in rows:
        values = asdict(r)
        writer.writerow([_cell(_plain(values[key])) for key, _ in EXPORT_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value

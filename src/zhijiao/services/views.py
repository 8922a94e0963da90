"""The 电脑派位 pages. Organisers (区域管理员 of the school's district or above): the list of draws with the form that
publishes a list, and the big-screen stage where the notary's public input is entered and the order revealed in
front of the families. Everyone: the public page of a draw (commitment, application numbers, then the result and
the four files to verify). Adapters: parse, ask one selector or service, render.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.services import lottery, selectors, services
from zhijiao.services.errors import ServicesError
from zhijiao.services.models import DrawStatus

LIST_MAX_BYTES = 5 * 1024 * 1024  # 100,000 applicants are some 2 MB


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _list_page(request: HttpRequest, *, error: ZhijiaoError | None = None, form: dict | None = None) -> HttpResponse:
    context = {
        "draws": selectors.draw_list(actor=request.user),
        "schools": selectors.draw_schools(actor=request.user),
        "error": error,
        "form": form or {},
        "breadcrumbs": [("网上办事", None), ("电脑派位", None)],
    }
    return render(request, "services/lottery_list.html", context, status=400 if error else 200)


def _require_organiser(request: HttpRequest) -> None:
    if not selectors.draw_may_organise(actor=request.user):
        raise Forbidden()


@login_required
def services_lottery(request: HttpRequest) -> HttpResponse:
    _require_organiser(request)
    return _list_page(request)


@login_required
@require_POST
def services_lottery_create(request: HttpRequest) -> HttpResponse:
    _require_organiser(request)
    form = {k: request.POST.get(k, "") for k in ("school", "year", "seats", "input_plan", "title")}
    upload = request.FILES.get("applicants")
    school_id, year, seats = _int(form["school"]), _int(form["year"]), _int(form["seats"])
    schools = {s.pk: s for s in selectors.draw_schools(actor=request.user)}
    try:
        school = schools.get(school_id or -1)
        if school is None:
            raise NotFound()
        if upload is None or upload.size is None or upload.size > LIST_MAX_BYTES:
            raise ZhijiaoError(ServicesError.SERVICES_LOTTERY_LIST, detail="请上传不超过 5 MB 的 CSV 名单")
        draw = services.draw_create(
            actor=request.user,
            school=school,
            year=year or 0,
            seats=seats or 0,
            applicants=upload.read(),
            input_plan=form["input_plan"],
            title=form["title"],
            origin=Origin.from_request(request),
        )
    except ZhijiaoError as exc:
        if isinstance(exc, NotFound):
            raise
        return _list_page(request, error=exc, form=form)
    return redirect("services-lottery-stage", draw_id=draw.pk)


@login_required
def services_lottery_stage(request: HttpRequest, draw_id: int, error: ZhijiaoError | None = None) -> HttpResponse:
    draw = selectors.draw_get(actor=request.user, draw_id=draw_id)
    rows = selectors.draw_result_rows(draw=draw, revealed=True)
    context = {
        "draw": draw,
        "rows": rows,
        "admitted": [r for r in rows if r.admitted],
        "waitlist_count": len(rows) - draw.seats if len(rows) > draw.seats else 0,
        "error": error,
        "public_input": request.POST.get("public_input", ""),
        "notary": request.POST.get("notary", ""),
        "animate": request.GET.get("reveal") == "1",
        "committed": draw.status == DrawStatus.COMMITTED,
        "drawn": draw.status == DrawStatus.DRAWN,
    }
    return render(request, "services/lottery_stage.html", context, status=400 if error else 200)


@login_required
@require_POST
def services_lottery_draw(request: HttpRequest, draw_id: int) -> HttpResponse:
    try:
        services.draw_run(
            actor=request.user,
            draw_id=draw_id,
            public_input=request.POST.get("public_input", "")[:255],
            notary=request.POST.get("notary", ""),
            origin=Origin.from_request(request),
        )
    except NotFound:
        raise
    except ZhijiaoError as exc:
        return services_lottery_stage(request, draw_id, error=exc)
    return redirect(f"/services/lottery/{draw_id}/stage/?reveal=1")


@login_required
@require_POST
def services_lottery_publish(request: HttpRequest, draw_id: int) -> HttpResponse:
    try:
        services.draw_publish(actor=request.user, draw_id=draw_id, origin=Origin.from_request(request))
    except NotFound:
        raise
    except ZhijiaoError as exc:
        return services_lottery_stage(request, draw_id, error=exc)
    return redirect("services-lottery-public", draw_id=draw_id)


def services_lottery_public(request: HttpRequest, draw_id: int) -> HttpResponse:
    """Public: anyone, signed in or not. Application numbers only, never names."""
    draw = selectors.draw_public(actor=None, draw_id=draw_id)
    published = draw.status == DrawStatus.PUBLISHED
    rows = selectors.draw_result_rows(draw=draw, revealed=published)
    context = {
        "draw": draw,
        "published": published,
        "rows": rows,
        "numbers": [] if published else selectors.draw_applicant_numbers(draw=draw),
        "files": lottery.FILES if published else (lottery.APPLICANTS_FILE,),
    }
    return render(request, "services/lottery_public.html", context)


def services_lottery_file(request: HttpRequest, draw_id: int, name: str) -> HttpResponse:
    """Public download of a published file, byte for byte; the list from its publication, the rest once published."""
    draw = selectors.draw_public(actor=None, draw_id=draw_id)
    allowed = lottery.FILES if draw.status == DrawStatus.PUBLISHED else (lottery.APPLICANTS_FILE,)
    if name not in allowed:
        raise NotFound()
    content_type = (
        "application/json" if name.endswith(".json") else "text/csv" if name.endswith(".csv") else "text/plain"
    )
    response = HttpResponse(draw.files[name], content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

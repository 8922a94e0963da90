"""Plan-indicator pages: the list (target vs actual per indicator), an indicator's schools, the school's reporting
form, a bureau's xlsx import and the indicator form."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhijiao.access.scope import scope_for
from zhijiao.analytics import indicators as ind
from zhijiao.analytics.errors import AnalyticsError
from zhijiao.analytics.models import IndicatorBasis, IndicatorDirection, IndicatorUnit
from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.org.models import School

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or ind.current_year())
    except ValueError:
        return ind.current_year()


def _is_bureau(request: HttpRequest) -> bool:
    return scope_for(request.user).is_bureau


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    year, node = _year(request), request.GET.get("node", "").strip()
    summaries = ind.indicator_summaries(actor=request.user, year=year, node=node)
    return render(
        request,
        "analytics/indicators.html",
        {
            "summaries": summaries,
            "year": year,
            "years": ind.year_choices(),
            "node": node,
            "is_bureau": _is_bureau(request),
            "report_schools": ind.reporting_schools(actor=request.user),
            "breadcrumbs": [("统计分析", "/analytics/"), ("规划指标", None)],
        },
    )


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = ind.indicator_get(actor=request.user, code=code)
    year, node = _year(request), request.GET.get("node", "").strip()
    result = None
    if request.method == "POST":
        result = _import(request, indicator, year)
        if result is not None and result.written:
            done = f"已导入 {result.written} 所学校的 {year} 年数据，共 {len(result.rows)} 行。"
            messages.success(request, done)
            return redirect(f"/analytics/indicators/{indicator.code}/?year={year}")
    summary = ind.indicator_summary(actor=request.user, indicator=indicator, year=year, node=node, rows=True)
    return render(
        request,
        "analytics/indicator_detail.html",
        {
            "s": summary,
            "indicator": indicator,
            "year": year,
            "years": ind.year_choices(),
            "not_reported": [r for r in summary.rows if r.reported is None],
            "targets": list(indicator.targets.all()),
            "is_bureau": _is_bureau(request),
            "result": result,
            "value_header": ind.value_header(indicator),
            "breadcrumbs": [
                ("统计分析", "/analytics/"),
                ("规划指标", "/analytics/indicators/"),
                (indicator.name, None),
            ],
        },
        status=400 if result is not None else 200,
    )


def _import(request: HttpRequest, indicator, year: int) -> ind.ImportResult | None:
    file = request.FILES.get("file")
    try:
        name = (file.name or "") if file is not None else ""
        if file is None or not name.lower().endswith(".xlsx") or (file.size or 0) > MAX_UPLOAD_BYTES:
            raise ZhijiaoError(AnalyticsError.ANALYTICS_INDICATOR_FILE_UNREADABLE, detail=name or "未选择文件")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload.xlsx"
            path.write_bytes(file.read())
            result = ind.indicator_import(
                actor=request.user, indicator=indicator, year=year, path=path, origin=Origin.from_request(request)
            )
    except ZhijiaoError as exc:
        messages.error(request, exc.message)
        return ind.ImportResult(rows=[], written=0)
    if result.errors:
        messages.error(request, f"文件中有 {result.errors} 行错误，未写入任何数据。请按下表改正后重新导入。")
    elif not result.written:
        messages.warning(request, "文件中没有填写指标值的行，未写入数据。")
    return result


@login_required
def indicator_template(request: HttpRequest, code: str) -> HttpResponse:
    indicator = ind.indicator_get(actor=request.user, code=code)
    year = _year(request)
    buffer = io.BytesIO()
    ind.import_template(actor=request.user, indicator=indicator, year=year, out=buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="indicator-{indicator.code}-{year}.xlsx"'
    return response


@login_required
def indicator_report(request: HttpRequest) -> HttpResponse:
    """The school's own form: every indicator it must report for the year, one number each."""
    year = _year(request)
    schools = ind.reporting_schools(actor=request.user)
    code = request.GET.get("school") or request.POST.get("school") or (schools[0].code if schools else "")
    school = School.objects.filter(ind.visible_schools_q(request.user), code=code).first() if code else None
    if school is None:
        raise NotFound()
    rows = ind.school_form_rows(actor=request.user, school=school, year=year)
    errors: dict[str, str] = {}
    if request.method == "POST":
        saved = 0
        for indicator, _value in rows:
            text = request.POST.get(f"v-{indicator.code}", "").strip()
            if not text:
                continue
            try:
                ind.indicator_report(
                    actor=request.user,
                    indicator=indicator,
                    school=school,
                    year=year,
                    reported=float(text),
                    origin=Origin.from_request(request),
                )
                saved += 1
            except ValueError:
                errors[indicator.code] = "应为数字"
            except ZhijiaoError as exc:
                errors[indicator.code] = exc.message
        if not errors:
            messages.success(request, f"已保存 {saved} 项 {year} 年指标。")
            return redirect(f"/analytics/indicators/report/?school={school.code}&year={year}")
        rows = ind.school_form_rows(actor=request.user, school=school, year=year)
    return render(
        request,
        "analytics/indicators_report.html",
        {
            "school": school,
            "schools": schools,
            "rows": [
                {
                    "indicator": i,
                    "value": v,
                    "target": ind.target_for(i, year),
                    "posted": request.POST.get(f"v-{i.code}", "") if errors else "",
                    "error": errors.get(i.code, ""),
                    "meets": ind.meets(i, v.value if v else None, ind.target_for(i, year))
                    if i.unit != IndicatorUnit.COUNT
                    else None,
                }
                for i, v in rows
            ],
            "year": year,
            "years": ind.year_choices(),
            "breadcrumbs": [("统计分析", "/analytics/"), ("规划指标", "/analytics/indicators/"), ("填报", None)],
        },
        status=400 if errors else 200,
    )


@login_required
def indicator_edit(request: HttpRequest, code: str = "") -> HttpResponse:
    """A bureau defines (or changes) an indicator and its yearly targets."""
    if not _is_bureau(request):
        raise NotFound()
    indicator = ind.indicator_get(actor=request.user, code=code) if code else None
    data = request.POST if request.method == "POST" else None
    if data is not None:
        try:
            spec = ind.IndicatorSpec(
                code=data.get("code", "").strip(),
                name=data.get("name", "").strip(),
                unit=data.get("unit", IndicatorUnit.PERCENT),
                unit_label=data.get("unit_label", "").strip(),
                direction=data.get("direction", IndicatorDirection.HIGHER),
                basis=data.get("basis", IndicatorBasis.REPORTED),
                reported_label=data.get("reported_label", "").strip(),
                division=data.get("division", "").strip(),
                school_types=[t for t in data.get("school_types", "").replace("，", ",").split(",") if t.strip()],
                targets=ind.parse_targets(data.get("targets", "")),
                description=data.get("description", "").strip(),
            )
            saved = ind.indicator_define(actor=request.user, spec=spec, origin=Origin.from_request(request))
        except ZhijiaoError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已保存规划指标“{saved.name}”。")
            return redirect(f"/analytics/indicators/{saved.code}/")
    scope = scope_for(request.user)
    divisions = sorted(scope.divisions())
    fields = ("code", "name", "unit", "unit_label", "direction", "basis", "reported_label", "division", "description")
    if data is not None:
        initial = {f: data.get(f, "") for f in (*fields, "school_types", "targets")}
    elif indicator is not None:
        initial = {f: getattr(indicator, f if f != "division" else "division_id") or "" for f in fields}
        initial["school_types"] = ",".join(indicator.school_types)
        initial["targets"] = ", ".join(f"{t.year}:{t.value:g}" for t in indicator.targets.all())
    else:
        initial = {"division": divisions[0] if divisions else "", "unit": "percent", "direction": "higher"}
    return render(
        request,
        "analytics/indicator_form.html",
        {
            "indicator": indicator,
            "initial": initial,
            "units": IndicatorUnit.choices,
            "directions": IndicatorDirection.choices,
            "bases": IndicatorBasis.choices,
            "divisions": divisions,
            "breadcrumbs": [
                ("统计分析", "/analytics/"),
                ("规划指标", "/analytics/indicators/"),
                (indicator.name if indicator else "新建指标", None),
            ],
        },
        status=400 if data is not None else 200,
    )

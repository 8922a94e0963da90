"""继续教育学时 pages: my hours and certificates, the certificate PDF, the bureau's rules, the completion report and
the public verification page (no sign-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.org.models import Division, School
from zhijiao.resources.serving import harden
from zhijiao.spaces.research import hours
from zhijiao.spaces.research.certificate_pdf import certificate_pdf
from zhijiao.spaces.research.models import ActivityKind
from zhijiao.spaces.research.views import _attempt, _int, _origin

CRUMBS = [("我的空间", "/space/"), ("继续教育学时", "/space/hours/")]


def _year(request: HttpRequest) -> int:
    year = _int(request.GET.get("year"))
    return year if year and 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def my_hours(request: HttpRequest) -> HttpResponse:
    post = hours.account_post(request.user.pk)
    years = hours.teacher_years(account_id=request.user.pk)
    year = _year(request)
    scope = scope_for(request.user)
    context = {
        "post": post,
        "year": year,
        "years": years,
        "mine": hours.teacher_hours(account_id=request.user.pk, year=year) if post else None,
        "certificates": hours.certificate_list(actor=request.user),
        "report_nodes": _report_nodes(request),
        "may_set_rules": bool(scope.divisions(Role.REGION_ADMIN)) or scope.is_platform_admin,
        "breadcrumbs": [("我的空间", "/space/"), ("继续教育学时", None)],
    }
    return render(request, "spaces/research/hours.html", context)


@login_required
@require_POST
def certificate_issue(request: HttpRequest) -> HttpResponse:
    year = _int(request.POST.get("year")) or timezone.localdate().year
    made: list = []
    if _attempt(
        request,
        lambda: made.append(hours.certificate_issue(actor=request.user, year=year, origin=_origin(request))),
        "学时证明已开具。",
    ):
        return redirect(f"/space/hours/?year={year}#certificates")
    return redirect(f"/space/hours/?year={year}")


@login_required
def certificate_download(request: HttpRequest, code: str) -> HttpResponse:
    certificate = hours.certificate_get_own(actor=request.user, code=code)
    detail = hours.teacher_hours(account_id=request.user.pk, year=certificate.year)
    verify_url = request.build_absolute_uri(f"/space/verify/?code={certificate.code}")
    pdf = certificate_pdf(certificate, detail if detail.total == certificate.hours else None, verify_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.year}-{certificate.code}.pdf"'
    return harden(response)


@login_required
@require_POST
def certificate_revoke(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("code", "").strip().upper()[:24]
    _attempt(
        request,
        lambda: hours.certificate_revoke(
            actor=request.user, code=code, reason=request.POST.get("reason", ""), origin=_origin(request)
        ),
        "证明已撤销，查验时将显示“已撤销”。",
    )
    return redirect(f"/space/verify/?code={code}")


def verify(request: HttpRequest) -> HttpResponse:
    """查验学时证明: anyone with the code, no sign-in; the name masked."""
    code = request.GET.get("code", "").strip()[:30]
    result = hours.certificate_verify(code) if code else None
    may_revoke = bool(
        result
        and result.status == "valid"
        and request.user.is_authenticated
        and scope_for(request.user).has_any({Role.REGION_ADMIN})
    )
    return render(request, "spaces/research/verify.html", {"code": code, "result": result, "may_revoke": may_revoke})


def _report_nodes(request: HttpRequest) -> list[tuple[str, str]]:
    """(value, label) of the divisions and schools whose report the account may read."""
    scope = scope_for(request.user)
    nodes: list[tuple[str, str]] = []
    codes = scope.divisions(Role.REGION_ADMIN, Role.RESEARCHER)
    if scope.is_platform_admin and not codes:
        codes = list(School.objects.values_list("division_id", flat=True).distinct().order_by("division_id")[:20])
    for d in Division.objects.filter(code__in=codes).order_by("code"):
        nodes.append((f"d:{d.code}", d.name))
    for s in School.objects.filter(pk__in=scope.school_ids(Role.SCHOOL_ADMIN)).order_by("code"):
        nodes.append((f"s:{s.pk}", s.name))
    return nodes


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """学时完成情况: per school under a division (or one school with its teachers, names masked)."""
    nodes = _report_nodes(request)
    if not nodes:
        raise NotFound()
    node = request.GET.get("node", "") or nodes[0][0]
    kind, _, ident = node.partition(":")
    year = _year(request)
    school = School.objects.select_related("division").filter(pk=_int(ident) or 0).first() if kind == "s" else None
    division = Division.objects.filter(pk=ident).first() if kind == "d" and ident.isdigit() else None
    if school is None and division is None:
        raise NotFound()
    code = school.division_id if school else division.code  # type: ignore[union-attr]
    rows = hours.completion(actor=request.user, division_code=code, year=year, school=school)
    rules = hours.rules_for(code)
    teachers = sum(r.teachers for r in rows)
    complete = sum(r.complete for r in rows)
    scope = scope_for(request.user)
    show_teachers = school is not None and (
        scope.governs(school.division_id) or school.pk in scope.school_ids(Role.SCHOOL_ADMIN)
    )
    context = {
        "nodes": nodes,
        "node": node,
        "label": school.name if school else division.name,  # type: ignore[union-attr]
        "year": year,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 4, -1)),
        "rows": sorted(rows, key=lambda r: (-r.percent, r.school.code)),
        "rules": rules,
        "rule_rows": [(label, *rules.per_kind[kind]) for kind, label in ActivityKind.choices],
        "teachers": teachers,
        "complete": complete,
        "percent": round(100 * complete / teachers) if teachers else 0,
        "teacher_rows": hours.school_teachers(actor=request.user, school=school, year=year)
        if show_teachers and school
        else [],
        "breadcrumbs": [*CRUMBS, ("完成情况", None)],
    }
    return render(request, "spaces/research/report.html", context)


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The bureau's 学时 rules for its division (区域管理员, the platform)."""
    scope = scope_for(request.user)
    codes = scope.divisions(Role.REGION_ADMIN)
    if not codes and not scope.is_platform_admin:
        raise NotFound()
    division = Division.objects.filter(pk=request.GET.get("division") or (codes[0] if codes else "")).first()
    if division is None or not scope.governs(division.code):
        raise NotFound()
    if request.method == "POST":
        form = request.POST
        try:
            hours.policy_set(
                actor=request.user,
                division=division,
                required=form.get("required", ""),
                rules={k: (form.get(f"{k}_hours", ""), form.get(f"{k}_cap", "")) for k in ActivityKind.values},
                origin=_origin(request),
            )
        except ZhijiaoError as exc:
            if exc.status != 400:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, "学时规则已保存，报表即按新规则计算。")
            return redirect(f"/space/hours/rules/?division={division.code}")
    current = hours.rules_for(division.code)
    context = {
        "division": division,
        "current": current,
        "own": current.division is not None and current.division.code == division.code,
        "rows": [(kind, label, *current.per_kind[kind]) for kind, label in ActivityKind.choices],
        "breadcrumbs": [*CRUMBS, ("学时规则", None)],
    }
    return render(request, "spaces/research/rules.html", context)

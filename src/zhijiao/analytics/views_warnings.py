"""Early-warning pages: the list with filters, a warning with its history and actions, and the rules at a node."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.analytics import warnings as w
from zhijiao.analytics.models import WarningKind, WarningStatus
from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.core.paging import paginate
from zhijiao.identity.models import Account

ACTIONS = {"acknowledge": "已确认预警", "resolve": "已解除预警", "assign": "已更换负责人"}


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    kind, school = request.GET.get("kind", ""), request.GET.get("school", "").strip()
    mine = request.GET.get("mine") == "1"
    rows = w.warning_list(
        actor=request.user, status="" if status == "all" else status, kind=kind, school=school, mine=mine
    )
    page, _ = paginate(request, rows, 50)
    everything = w.warning_list(actor=request.user)
    counts = {s: everything.filter(status=s).count() for s in WarningStatus.values}
    return render(
        request,
        "analytics/warnings.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "school": school,
            "mine": mine,
            "kinds": WarningKind.choices,
            "statuses": WarningStatus.choices,
            "counts": counts,
            "breadcrumbs": [("统计分析", "/analytics/"), ("预警", None)],
        },
    )


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    warning = w.warning_get(actor=request.user, pk=pk)
    may_act = w.may_act(request.user, warning)
    return render(
        request,
        "analytics/warning_detail.html",
        {
            "warning": warning,
            "events": list(warning.events.select_related("actor")),
            "may_act": may_act,
            "owners": w.warning_owner_choices(warning=warning) if may_act else [],
            "breadcrumbs": [("统计分析", "/analytics/"), ("预警", "/analytics/warnings/"), (f"#{warning.pk}", None)],
        },
    )


@login_required
@require_POST
def warning_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    warning = w.warning_get(actor=request.user, pk=pk)
    note, origin = request.POST.get("note", ""), Origin.from_request(request)
    try:
        if action == "acknowledge":
            w.warning_acknowledge(actor=request.user, warning=warning, note=note, origin=origin)
        elif action == "resolve":
            w.warning_resolve(actor=request.user, warning=warning, note=note, origin=origin)
        elif action == "assign":
            owner = Account.objects.filter(pk=request.POST.get("owner") or 0).first()
            if owner is None:
                raise NotFound()
            w.warning_assign(actor=request.user, warning=warning, owner=owner, note=note, origin=origin)
        else:
            raise NotFound()
    except ZhijiaoError as exc:
        if exc.status == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, ACTIONS[action])
    return redirect(f"/analytics/warnings/{warning.pk}/")


@login_required
def warning_rules(request: HttpRequest) -> HttpResponse:
    """The rules in force at a node; bureaus set a threshold for their own division (it holds in its subtree)."""
    scope = scope_for(request.user)
    divisions = sorted(scope.divisions(Role.REGION_ADMIN))
    node = request.GET.get("node") or request.POST.get("node") or (divisions[0] if divisions else "")
    if request.method == "POST":
        try:
            threshold = float(request.POST.get("threshold", ""))
        except ValueError:
            messages.error(request, "阈值应为数字")
        else:
            try:
                w.warning_rule_set(
                    actor=request.user,
                    kind=request.POST.get("kind", ""),
                    division=node,
                    threshold=threshold,
                    enabled=request.POST.get("enabled") == "1",
                    origin=Origin.from_request(request),
                )
            except ZhijiaoError as exc:
                if exc.status == 404:
                    raise
                messages.error(request, exc.message)
            else:
                messages.success(request, "预警规则已保存，下次评估时生效。")
                return redirect(f"/analytics/warnings/rules/?node={node}")
    rules = w.rules_effective(actor=request.user, node=node)
    return render(
        request,
        "analytics/warnings_rules.html",
        {
            "rules": [{"rule": r, "label": WarningKind(r.kind).label, "meaning": w.DEFAULTS[r.kind][1]} for r in rules],
            "node": node,
            "divisions": divisions,
            "may_edit": scope.is_platform_admin or bool(divisions),
            "breadcrumbs": [("统计分析", "/analytics/"), ("预警", "/analytics/warnings/"), ("预警规则", None)],
        },
    )

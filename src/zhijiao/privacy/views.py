"""The guardian's pages: 孩子的数据授权 (consent per app) and 孩子的个人信息访问记录. Adapters only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.audit.actions import CHANNEL_LABELS, field_labels
from zhijiao.audit.services import Origin
from zhijiao.core.errors import NotFound
from zhijiao.core.paging import paginate
from zhijiao.privacy import selectors
from zhijiao.privacy.services import consent_grant, consent_policy_set, consent_withdraw


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def consent_page(request: HttpRequest) -> HttpResponse:
    children = selectors.guardian_children(actor=request.user)
    return render(
        request,
        "privacy/consent.html",
        {
            "children": [selectors.child_consents(actor=request.user, student=c) for c in children],
            "scopes": selectors.scope_descriptions(),
            "consent_age": selectors.consent_age(),
            "breadcrumbs": [("我的孩子", "/"), ("孩子的数据授权", None)],
        },
    )


@login_required
@require_POST
def consent_grant_view(request: HttpRequest, student_id: int) -> HttpResponse:
    student = selectors.guardian_child_get(actor=request.user, student_id=student_id)
    app_id = _int(request.POST.get("app"))
    app = selectors.child_app_get(actor=request.user, student=student, app_id=app_id) if app_id else None
    consent_grant(
        actor=request.user,
        student=student,
        app=app,
        scopes=[code for code, _ in selectors.scope_descriptions()],
        origin=Origin.from_request(request),
    )
    messages.success(request, f"已同意{app or '全部平台服务'}获取{student.person.name}的信息。")
    return redirect(f"/privacy/consent/#child-{student.pk}")


@login_required
@require_POST
def consent_withdraw_view(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = consent_withdraw(actor=request.user, consent_id=consent_id, origin=Origin.from_request(request))
    what = consent.app or "全部平台服务"
    messages.success(request, f"已撤回对{what}的授权，该应用将不能再获取{consent.student.person.name}的信息。")
    return redirect(f"/privacy/consent/#child-{consent.student_id}")


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    children = selectors.guardian_children(actor=request.user)
    child_id = _int(request.GET.get("child"))
    child = (
        selectors.guardian_child_get(actor=request.user, student_id=child_id)
        if child_id is not None
        else (children[0] if children else None)
    )
    kind = request.GET.get("kind", "")
    kind = kind if kind in ("view", "app") else ""
    page, querystring = (None, "")
    rows = []
    if child is not None:
        events = selectors.child_access_log(actor=request.user, student=child, kind=kind)
        page, querystring = paginate(request, events)
        roles: dict[int, str] = {}
        rows = [_access_row(e, request.user, roles) for e in page]
    return render(
        request,
        "privacy/access_log.html",
        {
            "children": children,
            "child": child,
            "kind": kind,
            "rows": rows,
            "page_obj": page,
            "querystring": querystring,
            "retention_days": settings.ZHIJIAO_AUDIT_RETENTION_DAYS,
            "breadcrumbs": [("我的孩子", "/"), ("孩子的个人信息访问记录", None)],
        },
    )


def _access_row(event, viewer, roles: dict[int, str]) -> dict:
    """One event as a guardian reads it: who (name and role, not their account or IP), what, when, how."""
    actor = event.actor
    app_event = event.action == selectors.APP_SIGN_IN_ACTION
    if app_event:
        who, role = (event.target_label or "接入应用"), "接入应用"
    elif actor is None:
        who, role = event.actor_username or "系统", ""
    elif actor.pk == viewer.pk:
        who, role = "您本人", "家长"
    else:
        who = actor.person.name if actor.person_id else str(actor)
        if actor.pk not in roles:
            labels = sorted(scope_for(actor).roles, key=list(Role.values).index)
            roles[actor.pk] = "、".join(Role(r).label for r in labels)
        role = roles[actor.pk]
    return {
        "event": event,
        "kind": "app" if app_event else "view",
        "who": who,
        "role": role,
        "fields": "、".join(field_labels(list(event.fields or []))),
        "channel": CHANNEL_LABELS.get(event.channel, event.channel),
    }


@login_required
def policy_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/policy.html",
        {
            "rows": selectors.consent_policy_rows(actor=request.user),
            "consent_age": selectors.consent_age(),
            "breadcrumbs": [("未成年人数据授权策略", None)],
        },
    )


@login_required
@require_POST
def policy_set_view(request: HttpRequest, code: str) -> HttpResponse:
    row = next((r for r in selectors.consent_policy_rows(actor=request.user) if r.division.code == code), None)
    if row is None:
        raise NotFound()
    require = request.POST.get("require") == "1"
    consent_policy_set(
        actor=request.user, division=row.division, require_app_consent=require, origin=Origin.from_request(request)
    )
    state = "须经监护人同意" if require else "无需监护人同意"
    messages.success(request, f"已设置{row.division.name}：第三方应用获取未成年学生信息{state}。")
    return redirect("/privacy/policy/")

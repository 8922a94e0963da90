"""账号管理: the accounts an administrator looks after, their grants, password resets, 停用/启用.

系统管理员, platform administrators and bureaus (区域管理员, inside their division) use it; 安全管理员 unlock on
the 安全管理 page and 审计管理员 read the audit log (三员分立). Every change goes through an audited service.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhijiao.access.reach import account_may_administer
from zhijiao.access.roles import SEPARATED_ROLES, Role
from zhijiao.access.scope import scope_for
from zhijiao.access.selectors import grant_list
from zhijiao.audit.actions import CHANNEL_LABELS, action_info
from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, ZhijiaoError
from zhijiao.core.paging import paginate
from zhijiao.identity.account_admin import (
    account_disable,
    account_enable,
    account_password_reset,
    grant_node_parse,
    role_grant_add,
    role_grant_remove,
)
from zhijiao.identity.models import Account
from zhijiao.identity.selectors import (
    ACCOUNT_STATUSES,
    account_admin_detail,
    account_admin_get,
    account_admin_limits,
    account_admin_list,
    account_admin_may_act,
    account_admin_rows,
    grant_choices,
    school_grant_choices,
    school_grant_removable,
)


def _admin_actor(request: HttpRequest) -> Account:
    account = request.user
    if not isinstance(account, Account) or not scope_for(account).may_open_account_admin:
        raise Forbidden("账号管理")
    return account


@login_required
def accounts_admin(request: HttpRequest) -> HttpResponse:
    """账号管理: search and filter the accounts within the actor's reach (personal data masked)."""
    actor = _admin_actor(request)
    q, role, status = (request.GET.get(k, "").strip() for k in ("q", "role", "status"))
    accounts = account_admin_list(actor=actor, q=q, role=role, status=status)
    page_obj, querystring = paginate(request, accounts)
    context = {
        "page_obj": page_obj,
        "querystring": querystring,
        "rows": account_admin_rows(accounts=page_obj.object_list),
        "q": q,
        "role": role,
        "status": status,
        "roles": Role.choices,
        "statuses": ACCOUNT_STATUSES.items(),
        "filtered": bool(q or role or status),
        "school_only": not scope_for(actor).may_administer_accounts,
    }
    return render(request, "identity/accounts_list.html", context)


def _detail(request: HttpRequest, actor: Account, account: Account, status: int = 200, **extra) -> HttpResponse:
    detail = account_admin_detail(actor=actor, account=account)
    limits = account_admin_limits(actor=actor, account=account)
    may_act = account_admin_may_act(actor=actor, account=account) and not limits.separated
    # a 学校管理员 (who does not administer the account): their school's 心理教师 only, and only grant events shown
    school_only = not may_act and not account_may_administer(actor=actor, account=account)
    choices = grant_choices(actor=actor, account=account) if may_act else None
    removable: set[int] = set()
    if school_only:
        choices = school_grant_choices(actor=actor, account=account)
        grants = grant_list(account_ids=[account.pk])
        removable = school_grant_removable(actor=actor, account=account, grants=grants)
        detail = replace(detail, events=[e for e in detail.events if e.action.startswith("grant.")])
    context = {
        "detail": detail,
        "account": account,
        "may_act": may_act,
        "limits": limits,
        "separated_roles": sorted(SEPARATED_ROLES),
        "is_self": account.pk == actor.pk,
        "choices": choices,
        "school_only": school_only,
        "school_removable": removable,
        "may_unlock": scope_for(actor).may_manage_security,
        "events": [(e, action_info(e.action), CHANNEL_LABELS.get(e.channel, e.channel)) for e in detail.events],
        **extra,
    }
    return render(request, "identity/accounts_detail.html", context, status=status)


@never_cache
@login_required
def account_admin(request: HttpRequest, username: str) -> HttpResponse:
    """One account: status, sign-in facts, grants (derived ones read-only), recent audit events, the actions."""
    actor = _admin_actor(request)
    return _detail(request, actor, account_admin_get(actor=actor, username=username))


def _refused(request: HttpRequest, actor: Account, account: Account, exc: ZhijiaoError) -> HttpResponse:
    """A refusal (三员分立, reach) answers 403 with the reason on the account's page; other errors go back to it."""
    if exc.status == 404:
        raise exc
    messages.error(request, exc.message)
    if exc.status == 403:
        return _detail(request, actor, Account.objects.select_related("person").get(pk=account.pk), status=403)
    return redirect("account-admin-detail", username=account.username)


def _act(request: HttpRequest, username: str, work, success: str) -> HttpResponse:
    actor = _admin_actor(request)
    account = account_admin_get(actor=actor, username=username)
    try:
        work(actor, account, Origin.from_request(request))
    except ZhijiaoError as exc:
        return _refused(request, actor, account, exc)
    else:
        messages.success(request, success.format(account=account))
    return redirect("account-admin-detail", username=account.username)


@require_POST
@login_required
def account_grant_add(request: HttpRequest, username: str) -> HttpResponse:
    """授予角色: POST ``role`` and ``node`` (a token from the node picker)."""
    role, node = request.POST.get("role", ""), request.POST.get("node", "")

    def work(actor: Account, account: Account, origin: Origin) -> None:
        role_grant_add(actor=actor, account=account, role=role, node=grant_node_parse(node), origin=origin)

    label = Role(role).label if role in Role.values else role
    return _act(request, username, work, f"已授予 {{account.username}} {label}角色。")


@require_POST
@login_required
def account_grant_remove(request: HttpRequest, username: str, grant_id: int) -> HttpResponse:
    """撤销授权: hand-made grants only."""

    def work(actor: Account, account: Account, origin: Origin) -> None:
        role_grant_remove(actor=actor, account=account, grant_id=grant_id, origin=origin)

    return _act(request, username, work, "已撤销 {account.username} 的该项授权。")


@require_POST
@login_required
def account_disable_view(request: HttpRequest, username: str) -> HttpResponse:
    def work(actor: Account, account: Account, origin: Origin) -> None:
        account_disable(actor=actor, account=account, origin=origin)

    return _act(request, username, work, "已停用账号 {account.username}，其登录会话和应用令牌已全部结束。")


@require_POST
@login_required
def account_enable_view(request: HttpRequest, username: str) -> HttpResponse:
    def work(actor: Account, account: Account, origin: Origin) -> None:
        account_enable(actor=actor, account=account, origin=origin)

    return _act(request, username, work, "已启用账号 {account.username}。")


@never_cache
@require_POST
@login_required
def account_password_reset_view(request: HttpRequest, username: str) -> HttpResponse:
    """重置密码: the temporary password is shown on this response only (never stored, never in a message)."""
    actor = _admin_actor(request)
    account = account_admin_get(actor=actor, username=username)
    try:
        password = account_password_reset(actor=actor, account=account, origin=Origin.from_request(request))
    except ZhijiaoError as exc:
        return _refused(request, actor, account, exc)
    return _detail(request, actor, account, temporary_password=password)

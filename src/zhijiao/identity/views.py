"""Account pages: changing one's own password; 安全管理 (lockouts, unlock, authenticator reset)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from zhijiao.access.scope import scope_for
from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.identity.selectors import lockouts_current, lockouts_recent
from zhijiao.identity.services import account_password_change, account_unlock, totp_reset
from zhijiao.identity.twofactor import admin_password_expired


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """修改密码: Django's PasswordChangeForm checks the old password and the policy; the service sets it."""
    assert isinstance(request.user, Account)  # login_required
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = account_password_change(
                actor=request.user,
                account=request.user,
                new_password=form.cleaned_data["new_password1"],
                origin=Origin.from_request(request),
            )
        except ZhijiaoError as exc:
            form.add_error("new_password2", exc.message)
        else:
            update_session_auth_hash(request, account)  # stay signed in: the session hash follows the password
            messages.success(request, "密码已修改。")
            return redirect("home")
    forced = bool(getattr(request.user, "must_change_password", False))
    expired = not forced and admin_password_expired(request.user)
    context = {"form": form, "forced": forced, "expired": expired, "days": settings.ZHIJIAO_ADMIN_PASSWORD_DAYS}
    return render(request, "identity/password_change.html", context)


def _security_actor(request: HttpRequest) -> Account:
    account = request.user
    if not isinstance(account, Account) or not scope_for(account).may_manage_security:
        raise Forbidden("安全管理")
    return account


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """安全管理: locked accounts with an 解锁 button, recent lockouts, the protection settings in force."""
    return _security_page(request, _security_actor(request))


def _security_page(request: HttpRequest, actor: Account, status: int = 200) -> HttpResponse:
    context = {
        "locked": lockouts_current(actor=actor),
        "recent": lockouts_recent(actor=actor),
        "policy": {
            "attempts": settings.ZHIJIAO_LOCKOUT_ATTEMPTS,
            "minutes": settings.ZHIJIAO_LOCKOUT_MINUTES,
            "idle": settings.ZHIJIAO_IDLE_MINUTES,
            "admin_days": settings.ZHIJIAO_ADMIN_PASSWORD_DAYS,
        },
    }
    return render(request, "identity/security.html", context, status=status)


@require_POST
@login_required
def security_unlock(request: HttpRequest) -> HttpResponse:
    """解锁 one account (POST ``username``); the service checks the actor may, and audits it."""
    actor = _security_actor(request)
    username = request.POST.get("username", "")
    try:
        account_unlock(actor=actor, username=username, origin=Origin.from_request(request))
    except ZhijiaoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已解锁账号 {username}，该账号现在可以重新登录。")
    return redirect("security")


@require_POST
@login_required
def security_otp_reset(request: HttpRequest) -> HttpResponse:
    """重置身份验证器 (a lost phone): the administrator enrols again at the next sign-in."""
    actor = _security_actor(request)
    username = request.POST.get("username", "").strip()
    try:
        removed = totp_reset(actor=actor, username=username, origin=Origin.from_request(request))
    except ZhijiaoError as exc:
        messages.error(request, exc.message)
        if exc.status == 403:  # 三员分立: answered as a refusal, with the reason on the page
            return _security_page(request, actor, status=403)
    else:
        note = "下次登录时须重新绑定身份验证器" if removed else "该账号尚未绑定身份验证器"
        messages.success(request, f"已重置账号 {username} 的身份验证器，{note}。")
    return redirect("security")

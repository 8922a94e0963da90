"""Account activation pages: ``/accounts/activate/`` (anyone with a code) and the codes page for administrators."""

from __future__ import annotations

import io
from collections import Counter
from urllib.parse import quote

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters

from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.activation import (
    account_activate,
    account_signs_in_after_activation,
    activation_codes_issue,
    activation_pending,
    activation_slips_xlsx,
    activation_targets,
)
from zhijiao.identity.errors import IdentityError
from zhijiao.identity.lockout import lockout_message
from zhijiao.identity.models import Account

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BACKEND = "zhijiao.identity.backends.IdentifierBackend"
_PREVIEW_ROWS = 50


@sensitive_post_parameters("code", "new_password1", "new_password2")
def activate(request: HttpRequest) -> HttpResponse:
    """激活账号: identifier + one-time code + new password twice; signs in on success (administrators log in)."""
    if request.user.is_authenticated:
        return redirect("home")
    values = {k: request.POST.get(k, "").strip() for k in ("identifier", "code")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        password1, password2 = request.POST.get("new_password1", ""), request.POST.get("new_password2", "")
        for key, label in (("identifier", "账号、手机号或学籍号"), ("code", "激活码")):
            if not values[key]:
                errors[key] = f"请输入{label}"
        if not password1:
            errors["new_password1"] = "请输入新密码"
        elif password1 != password2:
            errors["new_password2"] = IdentityError.IDENTITY_PASSWORD_MISMATCH.message
        credentials = {"username": values["identifier"]}
        if not errors and AxesProxyHandler.is_locked(request, credentials):
            errors["form"] = lockout_message()
        if not errors:
            try:
                account = account_activate(
                    identifier=values["identifier"],
                    code=values["code"],
                    new_password=password1,
                    origin=Origin.from_request(request),
                )
            except ZhijiaoError as exc:
                if exc.error == IdentityError.IDENTITY_PASSWORD_POLICY:
                    errors["new_password1"] = exc.message
                else:
                    # A wrong code counts towards the account's lockout, exactly like a wrong password.
                    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                    locked = getattr(request, "axes_locked_out", False)
                    errors["form"] = lockout_message() if locked else exc.message
            else:
                return _activated(request, account)
    context = {"values": values, "errors": errors, "days": settings.ZHIJIAO_ACTIVATION_DAYS}
    return render(request, "identity/activate.html", context, status=400 if errors else 200)


def _activated(request: HttpRequest, account: Account) -> HttpResponse:
    axes_reset(username=account.username)
    if account_signs_in_after_activation(account):
        login(request, account, backend=_BACKEND)
        messages.success(request, f"账号已激活，欢迎使用智教！以后请用账号 {account.username} 和新密码登录。")
        return redirect("home")
    messages.success(request, f"账号已激活，请用账号 {account.username} 和新密码登录。")
    return redirect(settings.LOGIN_URL)


@login_required
def activation_codes(request: HttpRequest) -> HttpResponse:
    """激活码: pick a school (and optionally a class), see who is not activated yet, download fresh codes."""
    assert isinstance(request.user, Account)  # login_required
    data = request.POST if request.method == "POST" else request.GET
    targets = activation_targets(actor=request.user, school_code=data.get("school", ""), class_id=data.get("class", ""))
    if request.method == "POST" and targets.school is not None:
        slips = activation_codes_issue(
            actor=request.user,
            school=targets.school,
            school_class=targets.school_class,
            origin=Origin.from_request(request),
        )
        buffer = io.BytesIO()
        activation_slips_xlsx(slips, buffer, school=targets.school)
        name = f"激活码-{targets.school.name}-{timezone.localdate():%Y%m%d}.xlsx"
        response = HttpResponse(buffer.getvalue(), content_type=_XLSX)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response
    pending = (
        activation_pending(actor=request.user, school=targets.school, school_class=targets.school_class)
        if targets.school
        else []
    )
    counts = Counter("家长" if s.identity.startswith("家长") else s.identity for s in pending)
    context = {
        "targets": targets,
        "pending": pending[:_PREVIEW_ROWS],
        "pending_total": len(pending),
        "counts": [(label, counts.get(label, 0)) for label in ("学生", "家长", "教职工")],
        "days": settings.ZHIJIAO_ACTIVATION_DAYS,
    }
    return render(request, "identity/activation_codes.html", context)

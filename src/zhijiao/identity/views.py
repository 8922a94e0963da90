"""Account pages: changing one's own password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_password_change


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
    return render(request, "identity/password_change.html", {"form": form, "forced": forced})

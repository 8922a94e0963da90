"""The sign-in pages: account and password, then, for administrators, the TOTP code or enrolment.

Step 1 posts ``username`` and ``password``. Everyone but administrators is signed in at once. An administrator is
remembered in the session as *pending* (five minutes, no password kept) and the same URL answers with step 2,
which posts ``otp_token``; scripts may post all three fields at once. A wrong code counts as a failed login for the
lockout (django-axes). An administrator without an authenticator is sent to enrolment first.
"""

from __future__ import annotations

from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhijiao.audit.services import Origin
from zhijiao.identity.errors import IdentityError
from zhijiao.identity.lockout import lockout_response
from zhijiao.identity.models import Account
from zhijiao.identity.services import totp_enrol, totp_verify
from zhijiao.identity.twofactor import (
    Pending,
    is_admin_account,
    otpauth_url,
    pending_clear,
    pending_enrol_key,
    pending_expired,
    pending_get,
    pending_start,
    qr_svg,
    secret_groups,
    totp_device_get,
)

_STEP1 = "registration/login.html"
_ENROL = "identity/otp_enrol.html"


def _next_url(request: HttpRequest) -> str:
    """The ``next`` the form carried, if it stays on this site (as Django's LoginView checks it)."""
    wanted = request.POST.get("next", request.GET.get("next", ""))
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if safe else ""


def _finish(request: HttpRequest, account: Account, backend: str, device: TOTPDevice | None, next_url: str):
    """Sign in (and, for an administrator, mark the session verified by ``device``), then go where asked."""
    pending_clear(request)
    auth_login(request, account, backend=backend or None)
    if device is not None:
        otp_login(request, device)
    return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _second_step(request: HttpRequest, pending: Pending, *, error: str = "") -> HttpResponse:
    context = {"step": "otp", "pending": pending.account, "next": pending.next_url, "otp_error": error}
    return render(request, _STEP1, context)


def _check_code(request: HttpRequest, pending: Pending) -> HttpResponse:
    """Step 2 posted: the code signs the administrator in, or counts as a failed login."""
    account = pending.account
    credentials = {"username": account.username}
    if not AxesProxyHandler.is_allowed(request, credentials):
        pending_clear(request)
        return lockout_response(request, credentials=credentials)
    if totp_device_get(account) is None:
        return redirect("otp-enrol")
    device = totp_verify(account=account, token=request.POST.get("otp_token", ""), origin=Origin.from_request(request))
    if device is not None:
        return _finish(request, account, pending.backend, device, pending.next_url)
    # Django's own failure signal: django-axes counts it towards the lockout, the audit log records it.
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        pending_clear(request)  # the lockout page follows (AxesMiddleware); the password must be given again later
    return _second_step(request, pending, error=IdentityError.IDENTITY_OTP_INVALID.message)


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """登录 at ``/accounts/login/``: step 1 (account, password) and, for administrators, step 2 (``otp_token``)."""
    next_url = _next_url(request)
    if request.user.is_authenticated:  # redirect_authenticated_user
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    if request.GET.get("restart"):
        pending_clear(request)
        return redirect(f"{resolve_url('login')}?{urlencode({'next': next_url})}" if next_url else "login")
    if pending_expired(request):
        pending_clear(request)
        messages.info(request, IdentityError.IDENTITY_OTP_EXPIRED.message)
    pending = pending_get(request)
    if pending is not None and "password" not in request.POST:
        if totp_device_get(pending.account) is None:
            return redirect("otp-enrol")
        if request.method == "POST":
            return _check_code(request, pending)
        return _second_step(request, pending)

    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        account = form.get_user()
        backend = getattr(account, "backend", "")
        if not is_admin_account(account):
            return _finish(request, account, backend, None, next_url)
        pending_start(request, account, backend=backend, next_url=next_url)
        pending = pending_get(request)
        assert pending is not None  # just started
        if totp_device_get(account) is None:
            return redirect("otp-enrol")
        if request.POST.get("otp_token"):  # scripts: all three fields in one POST
            return _check_code(request, pending)
        return _second_step(request, pending)
    return render(request, _STEP1, {"form": form, "next": next_url, "step": "password"})


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """绑定身份验证器: the pending administrator scans the QR code (or types the secret) and confirms with a code."""
    pending = pending_get(request)
    if pending is None:
        if pending_expired(request):
            pending_clear(request)
            messages.info(request, IdentityError.IDENTITY_OTP_EXPIRED.message)
        return redirect("login")
    if totp_device_get(pending.account) is not None:
        return redirect("login")  # enrolled already: the code goes to step 2
    key = pending_enrol_key(request)
    error = ""
    if request.method == "POST":
        token = request.POST.get("otp_token", "")
        device = totp_enrol(account=pending.account, key=key, token=token, origin=Origin.from_request(request))
        if device is not None:
            messages.success(request, "身份验证器绑定成功，以后登录时请输入验证器上的动态口令。")
            return _finish(request, pending.account, pending.backend, device, pending.next_url)
        error = IdentityError.IDENTITY_OTP_INVALID.message
    url = otpauth_url(pending.account, key)
    secret = url.split("secret=", 1)[1].split("&", 1)[0]
    context = {
        "pending": pending.account,
        "qr_svg": mark_safe(qr_svg(url)),  # noqa: S308  (drawn here from our own URL, no user input)
        "secret": secret_groups(secret),
        "otp_error": error,
    }
    return render(request, _ENROL, context)

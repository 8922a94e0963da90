"""Session protection: the server-side idle timeout, administrators' second step (TOTP), and the forced password
change (first login, reset, or an administrator's password past its age)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse

from zhijiao.access.scope import scope_for
from zhijiao.identity.errors import IdentityError
from zhijiao.identity.twofactor import admin_password_expired, is_admin_account, pending_start

LAST_SEEN_KEY = "zhijiao_last_seen"
# Refresh the stored time at most this often, so a busy page does not write its session on every request.
_TOUCH_SECONDS = 60
CHANGE_PAGE_PATH = "/accounts/password/"
_EXEMPT_PREFIXES = (CHANGE_PAGE_PATH, "/accounts/logout/", "/healthz")
# Where an administrator gives the code or enrols an authenticator.
_SECOND_STEP_PREFIXES = ("/accounts/login/", "/accounts/otp/")


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):  # htmx swaps redirects into the page; make it navigate instead
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class IdleTimeoutMiddleware:
    """End a session after ``ZHIJIAO_IDLE_MINUTES`` without a request (GB/T 22239: session timeout).

    The time of the last request lives in the session itself, so the rule holds whatever the cookie says.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN_KEY)
            if isinstance(last, int) and now - last > settings.ZHIJIAO_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, IdentityError.IDENTITY_IDLE_TIMEOUT.message)
                if not request.path.startswith("/api/"):
                    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                    return _redirect(request, f"{settings.LOGIN_URL}?{query}" if query else settings.LOGIN_URL)
            elif not isinstance(last, int) or now - last >= _TOUCH_SECONDS:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


def _json_error(error: IdentityError, status: int, **fmt: object) -> JsonResponse:
    return JsonResponse({"code": error.code, "message": error.message.format(**fmt), "field": None}, status=status)


class AdminTwoFactorMiddleware:
    """An administrator's session counts as signed in only once a TOTP code has verified it (django-otp).

    The login view signs administrators in only after the code, so this catches the rest: a session that gained
    an administrative role while signed in, or one signed in some other way. Pages send it back to the second
    step (the password need not be typed again within five minutes); the session-authenticated API answers 401.
    Bearer-token API calls do not use the session and are not affected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(
            ("/accounts/logout/", "/healthz", settings.STATIC_URL or "/static/")
        ):
            scope_for(user)  # built once per request: the role check below and the views reuse it
            if is_admin_account(user) and not user.is_verified():  # type: ignore[attr-defined]  # from OTPMiddleware
                return self._second_step(request, user)
        return self.get_response(request)

    def _second_step(self, request: HttpRequest, user: Any) -> HttpResponse:
        if request.path.startswith("/api/"):
            if request.headers.get("Authorization"):
                request.user = AnonymousUser()  # let the bearer token decide, never the unverified session
                return self.get_response(request)
            return _json_error(IdentityError.IDENTITY_OTP_REQUIRED, 401)
        next_url = request.get_full_path() if request.method == "GET" else ""
        backend = request.session.get("_auth_user_backend", "django.contrib.auth.backends.ModelBackend")
        logout(request)
        pending_start(request, user, backend=backend, next_url=next_url)
        if request.path.startswith(_SECOND_STEP_PREFIXES):
            return self.get_response(request)
        return _redirect(request, settings.LOGIN_URL)


class PasswordChangeRequiredMiddleware:
    """Until an account with ``must_change_password`` sets its own password, every page leads to the change page;
    so does an administrator's password older than ``ZHIJIAO_ADMIN_PASSWORD_DAYS``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith((*_EXEMPT_PREFIXES, settings.STATIC_URL or "/static/"))
            and (getattr(user, "must_change_password", False) or admin_password_expired(user))
        ):
            if request.path.startswith("/api/"):
                if getattr(user, "must_change_password", False):
                    return _json_error(IdentityError.IDENTITY_PASSWORD_CHANGE_REQUIRED, 403)
                days = settings.ZHIJIAO_ADMIN_PASSWORD_DAYS
                return _json_error(IdentityError.IDENTITY_PASSWORD_EXPIRED, 403, days=days)
            return _redirect(request, CHANGE_PAGE_PATH)
        return self.get_response(request)

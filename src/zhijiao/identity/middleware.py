"""Session protection: the server-side idle timeout and the forced first-login password change."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse

from zhijiao.identity.errors import IdentityError

LAST_SEEN_KEY = "zhijiao_last_seen"
# Refresh the stored time at most this often, so a busy page does not write its session on every request.
_TOUCH_SECONDS = 60
CHANGE_PAGE_PATH = "/accounts/password/"
_EXEMPT_PREFIXES = (CHANGE_PAGE_PATH, "/accounts/logout/", "/healthz")


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


class PasswordChangeRequiredMiddleware:
    """Until an account with ``must_change_password`` sets its own password, every page leads to the change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith((*_EXEMPT_PREFIXES, settings.STATIC_URL or "/static/"))
        ):
            if request.path.startswith("/api/"):
                error = IdentityError.IDENTITY_PASSWORD_CHANGE_REQUIRED
                return JsonResponse({"code": error.code, "message": error.message, "field": None}, status=403)
            return _redirect(request, CHANGE_PAGE_PATH)
        return self.get_response(request)

"""Login lockout (django-axes) wired to Zhijiao: the Chinese lockout page and the ``auth.lockout`` audit event.

Axes counts failures per username (many pupils share one school NAT address, so never per address alone) and
refuses even the right password until the cool-off (``ZHIJIAO_LOCKOUT_MINUTES``) ends or an administrator
unlocks the account (:func:`zhijiao.identity.services.account_unlock`).
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.identity.errors import IdentityError


def lockout_message() -> str:
    return IdentityError.IDENTITY_LOCKED.message.format(minutes=settings.ZHIJIAO_LOCKOUT_MINUTES)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the login page again, with the lockout explained (429, as axes answers)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked_out": True,
        "lockout_message": lockout_message(),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "registration/login.html", context, status=429)


@receiver(user_locked_out, dispatch_uid="zhijiao.identity.lockout.audit")
def _audit_lockout(sender: Any, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    # Axes also signals each refused attempt while the lock holds; only the attempt that crossed the limit has
    # a fresh failure count, so the lockout is audited once.
    if getattr(request, "axes_failures_since_start", None) is None or not username:
        return
    audit_record(
        actor=None,
        action="auth.lockout",
        origin=Origin.from_request(request),
        target=Target("account", username, username),
    )

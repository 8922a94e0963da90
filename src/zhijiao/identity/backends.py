"""Login by account name, mobile number or 学籍号, with the lockout counted per account whatever was typed.

``IdentifierBackend`` replaces Django's ``ModelBackend`` (``AUTHENTICATION_BACKENDS``, after axes' backend);
:func:`axes_username` is ``AXES_USERNAME_CALLABLE``, so five failures through a pupil's 学籍号 and through
their account name lock the same account.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from zhijiao.identity.identifiers import account_for_identifier
from zhijiao.identity.models import Account

# The resolved account name, remembered on the request: axes asks for it several times per login attempt.
_CACHE_ATTR = "_zhijiao_login_names"


def _resolve(request: HttpRequest | None, typed: str) -> Account | None:
    cache: dict[str, Account | None] | None = getattr(request, _CACHE_ATTR, None) if request is not None else None
    if cache is not None and typed in cache:
        return cache[typed]
    account = account_for_identifier(typed)
    if request is not None:
        if cache is None:
            cache = {}
            setattr(request, _CACHE_ATTR, cache)
        cache[typed] = account
    return account


class IdentifierBackend(ModelBackend):
    """Django's model backend, with the login name resolved by :func:`account_for_identifier` first."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Account | None:
        if username is None:
            username = kwargs.get(Account.USERNAME_FIELD)
        if not username or password is None:
            return None
        account = _resolve(request, username)
        if account is None:
            # Hash anyway, so an unknown name takes as long as a wrong password (as ModelBackend does).
            Account().set_password(password)
            return None
        if account.check_password(password) and self.user_can_authenticate(account):
            return account
        return None


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str:
    """``AXES_USERNAME_CALLABLE``: the account name an attempt counts against (the typed text if none matches)."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    typed = (credentials or {}).get(field)
    if typed is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get(field)
    typed = (typed or "").strip()
    if not typed:
        return typed
    account = _resolve(request, typed)
    return account.username if account is not None else typed

"""Log sign-ins and failed sign-ins. Django announces them only through signals, so this is the one place we listen."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from zhijiao.audit.services import Origin, Target, audit_record


@receiver(user_logged_in, dispatch_uid="zhijiao-audit-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    origin = Origin.from_request(request) if request is not None else Origin()
    audit_record(actor=user, action="auth.login", origin=origin, target=Target("account", str(user.pk), user.username))


@receiver(user_login_failed, dispatch_uid="zhijiao-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    origin = Origin.from_request(request) if request is not None else Origin()
    username = str(credentials.get("username", ""))[:128]
    audit_record(actor=None, action="auth.login_failed", origin=origin, target=Target("account", "", username))

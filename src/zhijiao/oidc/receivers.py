"""Sign-in and sign-out of browser sessions: the one place the provider listens to Django's auth signals."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from zhijiao.oidc.backchannel import session_signed_in, session_signed_out


@receiver(user_logged_in, dispatch_uid="zhijiao-oidc-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_signed_in(request=request, account=user)


@receiver(user_logged_out, dispatch_uid="zhijiao-oidc-logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if request is not None:
        session_signed_out(request=request)

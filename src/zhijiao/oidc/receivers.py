"""Sign-in and sign-out of browser sessions: the one place the provider listens to Django's auth signals.

Also queues the back-channel logout job when a session ends (``backchannel.logout_due``, sent on commit).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from zhijiao.oidc.backchannel import logout_due, session_signed_in, session_signed_out
from zhijiao.oidc.tasks import backchannel_logout_deliver


@receiver(user_logged_in, dispatch_uid="zhijiao-oidc-login")
def _logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_signed_in(request=request, account=user)


@receiver(user_logged_out, dispatch_uid="zhijiao-oidc-logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if request is not None:
        session_signed_out(request=request)


@receiver(logout_due, dispatch_uid="zhijiao-oidc-logout-due")
def _logout_due(sender, *, application_id: int, account_id: int, sid: str, issuer: str, **kwargs) -> None:
    backchannel_logout_deliver(application_id=application_id, account_id=account_id, sid=sid, issuer=issuer)

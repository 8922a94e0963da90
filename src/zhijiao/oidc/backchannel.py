"""Sign-in sessions as the provider sees them, and OpenID Connect Back-Channel Logout 1.0 (DOT has none).

Each browser session gets an opaque ``sid`` (never the Django session key) when it signs in. Each app that
obtains tokens within it is recorded as a :class:`SessionLink` (one refresh-token family). When the session
ends — our logout page, RP-initiated logout, the idle timeout, or expiry found by the sweep — its tokens are
revoked and every app with a ``backchannel_logout_uri`` is sent a signed logout token by a background job.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
import uuid
from datetime import timedelta

import requests
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone
from oauth2_provider.models import get_application_model, get_refresh_token_model

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.identity.models import Account
from zhijiao.oidc.claims import subject_for
from zhijiao.oidc.models import RegisteredApp, SessionLink
from zhijiao.oidc.validators import sign_jwt

logger = logging.getLogger("zhijiao.oidc")
# Sent on commit once per app to tell that a session ended (application_id, account_id, sid, issuer). The job
# module sits above this one (its jobs call in here), so receivers.py queues the delivery job, not this module.
logout_due = Signal()

SID_KEY = "oidc_sid"
AUTH_TIME_KEY = "oidc_auth_time"
# Set while a person re-authenticates (prompt=login, max_age): the session continues under the new login.
CARRY_KEY = "oidc_reauth"
REAUTH_ATTR = "_zhijiao_oidc_reauth"
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_SECONDS = 120


class DeliveryFailed(Exception):
    """The app did not accept the logout token (the job retries)."""


def session_sid(request: HttpRequest) -> str:
    """The session's ``sid``, made now for a session signed in before the provider kept one."""
    sid = request.session.get(SID_KEY)
    if not sid:
        sid = request.session[SID_KEY] = secrets.token_urlsafe(24)
    return str(sid)


def session_auth_time(request: HttpRequest) -> int:
    """When the person last typed their password in this session (epoch seconds)."""
    value = request.session.get(AUTH_TIME_KEY)
    if isinstance(value, int):
        return value
    last_login = getattr(request.user, "last_login", None)
    return int(last_login.timestamp()) if last_login else int(time.time())


def session_signed_in(*, request: HttpRequest, account: Account) -> None:
    """A login: a new ``sid`` and sign-in time, or — after a re-authentication by the same person — the old ``sid``.

    Someone else signing in where a re-authentication was asked for ends the previous person's session.
    """
    session = request.session
    carry = session.pop(CARRY_KEY, None)
    if isinstance(carry, dict) and carry.get("account") == account.pk and carry.get("sid"):
        sid = carry["sid"]
        SessionLink.objects.filter(sid=sid, ended_at__isnull=True).update(session_key=session.session_key or "")
    else:
        sid = secrets.token_urlsafe(24)
        if isinstance(carry, dict) and carry.get("sid"):
            session_end(sid=carry["sid"], origin=Origin.from_request(request))
    session[SID_KEY] = sid
    session[AUTH_TIME_KEY] = int(time.time())


def session_signed_out(*, request: HttpRequest) -> None:
    """A logout of this browser session (any path that calls Django's ``logout``)."""
    if getattr(request, REAUTH_ATTR, False):
        return
    session = getattr(request, "session", None)
    sid = session.get(SID_KEY) if session is not None else None
    if sid:
        session_end(sid=str(sid), origin=Origin.from_request(request))


@transaction.atomic
def session_end(*, sid: str, origin: Origin) -> int:
    """End the session ``sid`` for every app: revoke its tokens, queue the logout tokens. Returns the apps told."""
    links = list(SessionLink.objects.filter(sid=sid, ended_at__isnull=True).select_related("application"))
    if not links:
        return 0
    refresh_token_model = get_refresh_token_model()
    for link in links:
        refresh_token_model.revoke_family(link.token_family)
    SessionLink.objects.filter(pk__in=[link.pk for link in links]).update(ended_at=timezone.now())
    listening = set(
        RegisteredApp.objects.filter(application_id__in={link.application_id for link in links})
        .exclude(backchannel_logout_uri="")
        .values_list("application_id", flat=True)
    )
    told = {(link.application_id, link.account_id): link.issuer for link in links if link.application_id in listening}
    for (application_id, account_id), issuer in told.items():
        transaction.on_commit(
            functools.partial(
                logout_due.send,
                sender=SessionLink,
                application_id=application_id,
                account_id=account_id,
                sid=sid,
                issuer=issuer,
            )
        )
    logger.info("单点登录会话结束：%s，通知 %d 个应用", sid[:6], len(told))
    return len(told)


def logout_token(*, issuer: str, client_id: str, sub: str, sid: str) -> str:
    """A Back-Channel Logout 1.0 logout token: signed like an ID token, with the logout event and no nonce."""
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_SECONDS,
        "jti": str(uuid.uuid4()),
        "sub": sub,
        "sid": sid,
        "events": {LOGOUT_EVENT: {}},
    }
    return sign_jwt(claims, typ="logout+jwt")


def backchannel_logout_send(*, application_id: int, account_id: int, sid: str, issuer: str) -> None:
    """POST one logout token to the app's back-channel logout URI; audited either way. Raises when refused."""
    application = get_application_model().objects.select_related("registration").get(pk=application_id)
    account = Account.objects.get(pk=account_id)
    uri = application.registration.backchannel_logout_uri
    target = Target("oidc_app", application.client_id, application.name)
    token = logout_token(issuer=issuer, client_id=application.client_id, sub=subject_for(account), sid=sid)
    try:
        response = requests.post(
            uri,
            data={"logout_token": token},
            timeout=settings.ZHIJIAO_OIDC_BACKCHANNEL_TIMEOUT,
            allow_redirects=False,
        )
        failure = "" if response.status_code in (200, 204) else f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        failure = type(exc).__name__
    action = "oidc.backchannel_logout_failed" if failure else "oidc.backchannel_logout"
    audit_record(actor=account, action=action, origin=Origin(channel="job"), target=target)
    if failure:
        logger.warning("后端注销通知失败：%s %s（%s）", application.name, uri, failure)
        raise DeliveryFailed(failure)


def sessions_expired_end(*, now=None) -> int:
    """End the sessions of links whose browser session expired or sat idle past ``ZHIJIAO_IDLE_MINUTES``.

    Logout and the idle timeout seen on a request end sessions at once; this catches a browser that never
    came back. Returns how many sessions ended.
    """
    from zhijiao.identity.middleware import LAST_SEEN_KEY

    now = now or timezone.now()
    open_links = dict(
        SessionLink.objects.filter(ended_at__isnull=True).exclude(session_key="").values_list("session_key", "sid")
    )
    if not open_links:
        return 0
    idle_cutoff = (now - timedelta(minutes=settings.ZHIJIAO_IDLE_MINUTES)).timestamp()
    alive: set[str] = set()
    for session in Session.objects.filter(session_key__in=list(open_links), expire_date__gt=now):
        last_seen = session.get_decoded().get(LAST_SEEN_KEY)
        if isinstance(last_seen, int) and last_seen < idle_cutoff:
            session.delete()  # the idle rule ends it on the server, as the middleware would on the next request
        else:
            alive.add(session.session_key)
    ended = {sid for key, sid in open_links.items() if key not in alive}
    for sid in ended:
        session_end(sid=sid, origin=Origin(channel="job"))
    return len(ended)

"""Zhijiao's rules inside django-oauth-toolkit's token machinery (``OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"]``).

* PKCE is required of public clients (S256 only, see settings); confidential clients may use it.
* Claims come from :mod:`zhijiao.oidc.claims`, by granted scope; ``sub`` is the account's opaque UUID.
* ID tokens carry the sign-in session's ``sid``, ``auth_time`` and ``acr``/``amr``, and are signed with the
  active key, its ``kid`` in the header; tokens signed with a retired key are still recognised by their ``kid``.
* The token endpoint re-checks the registry (an app switched off, or a person no longer allowed, gets no
  tokens, refresh included), links each new refresh-token family to its session (back-channel logout), and
  audits issue, refresh-token reuse and revocation.

The authorization endpoint's interactive rules (``prompt``, ``max_age``, ``id_token_hint``, consent) are decided
by :class:`zhijiao.oidc.views.AuthorizeView` before oauthlib is asked, so the silent-login hooks here say yes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

from django.db import router, transaction
from django.db.models import F
from django.utils import timezone
from jwcrypto import jwk, jws, jwt
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem
from oauthlib.common import Request

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.oidc.claims import claims_for, supported_claims
from zhijiao.oidc.models import AuthorizationContext, RegisteredApp, SessionLink
from zhijiao.oidc.selectors import app_allowed

Application = get_application_model()
AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
Grant = get_grant_model()
IDToken = get_id_token_model()

# Where the authorization view hands the session's sign-in facts to oauthlib (its request headers are META).
CONTEXT_HEADER = "ZHIJIAO_OIDC_CONTEXT"
ACR_PASSWORD = "urn:zhijiao:acr:pwd"  # noqa: S105  (an assurance level, not a password)
ACR_TWO_FACTOR = "urn:zhijiao:acr:mfa"


def _checksum(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def oauth_origin(request: Request) -> Origin:
    """The audit origin of an oauthlib request (its headers are the Django request's META)."""
    headers = request.headers or {}
    forwarded = headers.get("HTTP_X_FORWARDED_FOR", "")
    ip = forwarded.split(",")[0].strip() if forwarded else headers.get("REMOTE_ADDR")
    return Origin(channel="oidc", ip=ip or None, user_agent=str(headers.get("HTTP_USER_AGENT", ""))[:255])


def signing_keys() -> list[jwk.JWK]:
    """The active key first, then the retired ones still published in the JWKS."""
    pems = [oauth2_settings.OIDC_RSA_PRIVATE_KEY, *oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE]
    # DOT's cached parse: loading an RSA private key costs ~70 ms, and every token request signs or checks one.
    return [jwk_from_pem(pem) for pem in pems if pem]


def sign_jwt(claims: dict, *, typ: str = "JWT") -> str:
    """Sign ``claims`` with the active key (RS256), its ``kid`` in the header."""
    key = signing_keys()[0]
    token = jwt.JWT(
        header=json.dumps({"typ": typ, "alg": "RS256", "kid": key.thumbprint()}),
        claims=json.dumps(claims, default=str),
    )
    token.make_signed_token(key)
    return token.serialize()


def key_for_token(token: str) -> jwk.JWK | None:
    """The published key whose ``kid`` the token's header names (None for an unknown or missing ``kid``)."""
    unverified = jws.JWS()
    unverified.deserialize(token)
    header = unverified.jose_header
    kid = header.get("kid") if isinstance(header, dict) else None
    return next((key for key in signing_keys() if key.thumbprint() == kid), None)


def app_usable(*, application, account) -> bool:
    """An app may get tokens for an account: registered and switched on, and the registry allows the account."""
    registration = RegisteredApp.objects.filter(application=application).first()
    return bool(
        account is not None
        and account.is_active
        and registration is not None
        and registration.is_active
        and app_allowed(actor=account, app=registration)
    )


class ZhijiaoValidator(OAuth2Validator):
    # ---------------------------------------------------------------- authorization request
    def is_pkce_required(self, client_id, request):
        client = getattr(request, "client", None) or Application.objects.filter(client_id=client_id).first()
        return client is None or client.client_type == Application.CLIENT_PUBLIC

    def validate_silent_login(self, request) -> bool:
        return True  # decided by the authorization view (an anonymous prompt=none never reaches oauthlib)

    def validate_silent_authorization(self, request) -> bool:
        return True  # decided by the authorization view (consent_required when consent is missing)

    def validate_user_match(self, id_token_hint, scopes, claims, request) -> bool:
        return True  # decided by the authorization view (login_required when the hint names someone else)

    def _create_authorization_code(self, request, code, expires=None):
        grant = super()._create_authorization_code(request, code, expires)
        context = json.loads((request.headers or {}).get(CONTEXT_HEADER) or "{}")
        if context:
            AuthorizationContext.objects.create(
                grant=grant,
                sid=context["sid"],
                session_key=context.get("session_key", ""),
                auth_time=datetime.fromtimestamp(context["auth_time"], tz=UTC),
                amr=context.get("amr", ["pwd"]),
            )
        return grant

    # ---------------------------------------------------------------- token endpoint
    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if not super().validate_code(client_id, code, client, request, *args, **kwargs):
            return False
        context = AuthorizationContext.objects.filter(grant__code=code, grant__application=client).first()
        if context is not None:
            request.zhijiao_context = {
                "sid": context.sid,
                "session_key": context.session_key,
                "auth_time": context.auth_time,
                "amr": context.amr,
            }
        return app_usable(application=client, account=request.user)

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        presented = (
            RefreshToken.objects.filter(token_checksum=_checksum(refresh_token))
            .order_by(F("revoked").desc(nulls_first=True))
            .first()
        )
        valid = super().validate_refresh_token(refresh_token, client, request, *args, **kwargs)
        if not valid:
            if presented is not None and presented.revoked is not None and self._was_rotated(presented):
                # a used refresh token came back: someone holds a copy; DOT has revoked the whole family
                audit_record(
                    actor=presented.user,
                    action="oidc.token.refresh_reuse",
                    origin=oauth_origin(request),
                    target=Target("oidc_app", presented.application.client_id, presented.application.name),
                )
            return False
        link = SessionLink.objects.filter(token_family=request.refresh_token_instance.token_family).first()
        if link is not None:
            request.zhijiao_context = {"sid": link.sid, "auth_time": link.auth_time, "amr": link.amr}
        return app_usable(application=client, account=request.user)

    @staticmethod
    def _was_rotated(token) -> bool:
        return bool(
            token.token_family
            and RefreshToken.objects.filter(token_family=token.token_family, created__gt=token.created).exists()
        )

    def _save_bearer_token(self, token, request, *args, **kwargs):
        super()._save_bearer_token(token, request, *args, **kwargs)
        context = getattr(request, "zhijiao_context", None)
        if request.grant_type == "authorization_code" and context and token.get("refresh_token"):
            family = (
                RefreshToken.objects.filter(token_checksum=_checksum(token["refresh_token"]))
                .values_list("token_family", flat=True)
                .first()
            )
            if family:
                SessionLink.objects.create(
                    sid=context["sid"],
                    session_key=context.get("session_key", ""),
                    application=request.client,
                    account=request.user,
                    token_family=family,
                    issuer=self.get_oidc_issuer_endpoint(request),
                    auth_time=context["auth_time"],
                    amr=context["amr"],
                )
        # about the account (a guardian's page lists the apps given their child's data), labelled with the app
        label = str(request.client.name) + ("（刷新令牌）" if request.grant_type == "refresh_token" else "")
        audit_record(
            actor=request.user,
            action="oidc.token.issue",
            origin=oauth_origin(request),
            target=Target("account", str(request.user.pk), label),
            fields=[scope for scope in str(token.get("scope", "")).split() if scope != "openid"],
        )

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        client = getattr(request, "client", None)
        owner = None
        if client is not None and getattr(client, "pk", None):
            lookup = {"token_checksum": _checksum(token), "application": client}
            found = AccessToken.objects.filter(**lookup).first() or RefreshToken.objects.filter(**lookup).first()
            owner = found.user if found is not None else None
        super().revoke_token(token, token_type_hint, request, *args, **kwargs)
        if owner is not None and client is not None:
            audit_record(
                actor=owner,
                action="oidc.token.revoke",
                origin=oauth_origin(request),
                target=Target("oidc_app", client.client_id, client.name),
            )

    # ---------------------------------------------------------------- claims and ID tokens
    def get_additional_claims(self, request):
        return {}

    def get_discovery_claims(self, request):
        return supported_claims()

    def get_oidc_claims(self, token, token_handler, request):
        return claims_for(account=request.user, scopes=request.scopes or [])

    def get_id_token_dictionary(self, token, token_handler, request):
        claims = self.get_oidc_claims(token, token_handler, request)
        expires = timezone.now() + timedelta(seconds=oauth2_settings.ID_TOKEN_EXPIRE_SECONDS)
        context = getattr(request, "zhijiao_context", None) or {}
        auth_time = context.get("auth_time") or request.user.last_login or timezone.now()
        amr = list(context.get("amr") or ["pwd"])
        claims.update(
            iss=self.get_oidc_issuer_endpoint(request),
            exp=int(expires.timestamp()),
            auth_time=int(auth_time.timestamp()),
            jti=str(uuid.uuid4()),
            amr=amr,
            acr=ACR_TWO_FACTOR if "otp" in amr else ACR_PASSWORD,
        )
        if context.get("sid"):
            claims["sid"] = context["sid"]
        return claims, expires

    def finalize_id_token(self, id_token, token, token_handler, request):
        """As DOT's, but always RS256 with the active key (whatever the client's ``algorithm`` field says)."""
        claims, expires = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**claims)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce
        signed = sign_jwt(id_token)
        with transaction.atomic(using=router.db_for_write(IDToken)):
            stored = self._save_id_token(id_token["jti"], request, expires)
        request.access_token = stored
        request.id_token = stored
        return signed

    def _get_key_for_token(self, token):
        return key_for_token(token)


def id_token_claims(token: str, *, check_expiry: bool = False) -> dict | None:
    """The claims of an ID token this provider signed (any published key), or None if it is not one of ours.

    Expiry is not checked unless asked: an ``id_token_hint`` may be an expired token.
    """
    try:
        key = key_for_token(token)
        if key is None:
            return None
        parsed = jwt.JWT(key=key, jwt=token, check_claims=None if check_expiry else {})
        claims = json.loads(parsed.claims)
    except Exception:  # any malformed or forged token is simply not ours
        return None
    return claims if isinstance(claims, dict) else None

"""The sample app's OpenID Connect client: what any app does to sign people in through Zhijiao.

Authlib's requests client builds the authorization request (state, nonce, PKCE S256) and redeems the code;
joserfc (Authlib's JOSE library) checks signatures against the provider's published JWKS. The checks follow
OpenID Connect Core 1.0 §3.1.3.7 for ID tokens and Back-Channel Logout 1.0 §2.6 for logout tokens.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from base64 import urlsafe_b64encode
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from zhijiao.rp.errors import RpError, RpFailure

logger = logging.getLogger(__name__)

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# Asymmetric algorithms only: an ID token "signed" with the client secret or with "none" is refused.
SIGNING_ALGORITHMS = ("RS256", "ES256", "PS256")
HTTP_TIMEOUT = 10
# Clock skew tolerated between the provider and the app, and how old a logout token may be.
LEEWAY_SECONDS = 60
LOGOUT_TOKEN_MAX_AGE = 300
# resources:read lets the app call Zhijiao's resource API as the person (the home page lists a few resources)
RESOURCES_SCOPE = "resources:read"
DEFAULT_SCOPE = f"openid profile roles school {RESOURCES_SCOPE}"
RESOURCES_SHOWN = 5


@dataclass(frozen=True)
class ClientConfig:
    issuer: str  # Zhijiao's base URL; discovery is at {issuer}/.well-known/openid-configuration
    client_id: str
    client_secret: str
    redirect_uri: str
    post_logout_redirect_uri: str
    scope: str = DEFAULT_SCOPE


@dataclass(frozen=True)
class PendingLogin:
    """What the app keeps between sending the browser to Zhijiao and its return."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class SignedIn:
    id_token: str
    claims: dict[str, Any]
    userinfo: dict[str, Any]
    # newest resources read from /api/v1/resources with the access token; None: scope not granted or API unreadable
    resources: list[dict[str, Any]] | None = None


@dataclass
class _Cache:
    metadata: dict[str, Any] | None = None
    keys: KeySet | None = None
    keys_fetched_at: float = 0.0
    seen_jti: dict[str, float] = field(default_factory=dict)


class Provider:
    """Zhijiao as seen from one registered client. Thread-safe: one instance serves the whole app."""

    def __init__(self, config: ClientConfig, *, http: requests.Session | None = None) -> None:
        self.config = config
        self.http = http or requests.Session()
        self._cache = _Cache()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ discovery and keys
    def metadata(self) -> dict[str, Any]:
        if self._cache.metadata is None:
            url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
            data = self._get_json(url)
            required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
            if not all(isinstance(data.get(name), str) for name in required):
                raise RpFailure(RpError.RP_PROVIDER_METADATA, f"{url} lacks one of {required}")
            self._cache.metadata = data
        return self._cache.metadata

    def _get_json(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.get(url, timeout=HTTP_TIMEOUT, **kwargs)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise RpFailure(RpError.RP_PROVIDER_UNREACHABLE, f"{url}: {exc}") from exc
        if not isinstance(data, dict):
            raise RpFailure(RpError.RP_PROVIDER_METADATA, f"{url} did not return a JSON object")
        return data

    def _keys(self, *, refresh: bool = False) -> KeySet:
        with self._lock:
            # A token signed with a key we have not seen refetches the set, at most every few seconds:
            # after the provider rotates its key, new tokens carry the new kid.
            stale = refresh and time.monotonic() - self._cache.keys_fetched_at > 5
            if self._cache.keys is None or stale:
                data = self._get_json(self.metadata()["jwks_uri"])
                try:
                    self._cache.keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
                except (JoseError, KeyError, TypeError, ValueError) as exc:
                    raise RpFailure(RpError.RP_PROVIDER_METADATA, f"unusable JWKS: {exc}") from exc
                self._cache.keys_fetched_at = time.monotonic()
            return self._cache.keys

    def _decode(self, token: str, error: RpError) -> jwt.Token:
        try:
            try:
                return jwt.decode(token, self._keys(), algorithms=SIGNING_ALGORITHMS)
            except InvalidKeyIdError:
                return jwt.decode(token, self._keys(refresh=True), algorithms=SIGNING_ALGORITHMS)
        except (JoseError, ValueError) as exc:
            raise RpFailure(error, f"signature: {exc}") from exc

    # ------------------------------------------------------------------ sign-in
    def _oauth(self, **kwargs: Any) -> OAuth2Session:
        return OAuth2Session(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            scope=self.config.scope,
            redirect_uri=self.config.redirect_uri,
            code_challenge_method="S256",
            **kwargs,
        )

    def login_start(self, **extra: str) -> PendingLogin:
        """The authorization request: fresh state, nonce and PKCE verifier, remembered by the caller."""
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        with self._oauth() as oauth:
            url, _ = oauth.create_authorization_url(
                self.metadata()["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce, **extra
            )
        return PendingLogin(url=url, state=state, nonce=nonce, code_verifier=verifier)

    def login_finish(self, *, pending: PendingLogin, params: Mapping[str, str]) -> SignedIn:
        """Check the callback against the pending request, redeem the code, validate the ID token, read userinfo."""
        if not params.get("state") or params.get("state") != pending.state:
            raise RpFailure(RpError.RP_STATE_MISMATCH)
        # RFC 9207: an authorization response names its issuer; one from another provider is a mix-up attack.
        if "iss" in params and params["iss"] != self.metadata()["issuer"]:
            raise RpFailure(RpError.RP_STATE_MISMATCH, f"authorization response from issuer {params['iss']!r}")
        if "error" in params:
            raise RpFailure(
                RpError.RP_AUTHORIZATION_DENIED, f"{params['error']}: {params.get('error_description', '')}"
            )
        if not params.get("code"):
            raise RpFailure(RpError.RP_TOKEN_REQUEST, "callback without a code")
        try:
            with self._oauth() as oauth:
                token = oauth.fetch_token(
                    self.metadata()["token_endpoint"],
                    grant_type="authorization_code",
                    code=params["code"],
                    code_verifier=pending.code_verifier,
                    timeout=HTTP_TIMEOUT,
                )
        except Exception as exc:  # Authlib raises OAuthError or requests' errors; either way the sign-in fails
            raise RpFailure(RpError.RP_TOKEN_REQUEST, repr(exc)) from exc
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise RpFailure(RpError.RP_ID_TOKEN_INVALID, "token response without id_token")
        claims = self.id_token_validate(id_token, nonce=pending.nonce, access_token=token.get("access_token"))
        userinfo = self.userinfo(access_token=str(token["access_token"]))
        if userinfo.get("sub") != claims["sub"]:
            # Core §5.3.2: a userinfo response about someone else must not be used.
            raise RpFailure(RpError.RP_USERINFO, "userinfo sub differs from the ID token's")
        resources = self.resources(access_token=str(token["access_token"]), granted=str(token.get("scope", "")))
        return SignedIn(id_token=id_token, claims=claims, userinfo=userinfo, resources=resources)

    def id_token_validate(self, id_token: str, *, nonce: str, access_token: str | None = None) -> dict[str, Any]:
        """OpenID Connect Core §3.1.3.7: signature, iss, aud (and azp), exp, iat, nonce, and at_hash if present."""
        token = self._decode(id_token, RpError.RP_ID_TOKEN_INVALID)
        claims = dict(token.claims)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.metadata()["issuer"]},
            aud={"essential": True, "value": self.config.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise RpFailure(RpError.RP_ID_TOKEN_INVALID, str(exc)) from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise RpFailure(RpError.RP_ID_TOKEN_INVALID, "several audiences and azp is not this client")
        if access_token and "at_hash" in claims:
            expected = _left_half_hash(access_token, str(token.header.get("alg", "RS256")))
            if claims["at_hash"] != expected:
                raise RpFailure(RpError.RP_ID_TOKEN_INVALID, "at_hash does not match the access token")
        return claims

    def userinfo(self, *, access_token: str) -> dict[str, Any]:
        endpoint = self.metadata().get("userinfo_endpoint")
        if not endpoint:
            return {}
        try:
            return self._get_json(endpoint, headers={"Authorization": f"Bearer {access_token}"})
        except RpFailure as exc:
            raise RpFailure(RpError.RP_USERINFO, exc.detail) from exc

    def resources(self, *, access_token: str, granted: str) -> list[dict[str, Any]] | None:
        """A few of the newest resources the person may see, from Zhijiao's resource API with the access token
        (what an app does with ``resources:read``). None when not granted or unreadable: sign-in still succeeds."""
        if RESOURCES_SCOPE not in granted.split():
            return None
        url = f"{self.config.issuer.rstrip('/')}/api/v1/resources"
        try:
            data = self._get_json(url, headers={"Authorization": f"Bearer {access_token}"})
        except RpFailure as exc:
            logger.warning("sample app: resource API not readable: %s", exc)
            return None
        items = data.get("items")
        return [i for i in items if isinstance(i, dict)][:RESOURCES_SHOWN] if isinstance(items, list) else None

    # ------------------------------------------------------------------ logout
    def end_session_url(self, *, id_token: str, state: str = "") -> str | None:
        """RP-initiated logout: send the browser here so Zhijiao ends its session too (None: not offered)."""
        endpoint = self.metadata().get("end_session_endpoint")
        if not endpoint:
            return None
        params = {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": self.config.post_logout_redirect_uri,
            "client_id": self.config.client_id,
        }
        if state:
            params["state"] = state
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"

    def logout_token_validate(self, logout_token: str) -> dict[str, Any]:
        """Back-Channel Logout 1.0 §2.6: signature, typ, iss, aud, iat, events, sub or sid, no nonce, not replayed."""
        token = self._decode(logout_token, RpError.RP_LOGOUT_TOKEN_INVALID)
        typ = token.header.get("typ")
        if typ is not None and str(typ).lower() not in {"logout+jwt", "application/logout+jwt", "jwt"}:
            raise RpFailure(RpError.RP_LOGOUT_TOKEN_INVALID, f"typ {typ!r}")
        claims = dict(token.claims)
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.metadata()["issuer"]},
            aud={"essential": True, "value": self.config.client_id},
            iat={"essential": True},
            jti={"essential": True},
            events={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise RpFailure(RpError.RP_LOGOUT_TOKEN_INVALID, str(exc)) from exc
        events = claims["events"]
        if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_LOGOUT_EVENT), dict):
            raise RpFailure(RpError.RP_LOGOUT_TOKEN_INVALID, "events lacks the back-channel logout event")
        if not claims.get("sub") and not claims.get("sid"):
            raise RpFailure(RpError.RP_LOGOUT_TOKEN_INVALID, "neither sub nor sid")
        if "nonce" in claims:
            raise RpFailure(RpError.RP_LOGOUT_TOKEN_INVALID, "a logout token must not carry a nonce")
        if claims["iat"] < time.time() - LOGOUT_TOKEN_MAX_AGE - LEEWAY_SECONDS:
            raise RpFailure(RpError.RP_LOGOUT_TOKEN_INVALID, "iat too old")
        self._jti_remember(str(claims["jti"]))
        return claims

    def _jti_remember(self, jti: str) -> None:
        now = time.monotonic()
        with self._lock:
            seen = self._cache.seen_jti
            for old, at in list(seen.items()):
                if now - at > LOGOUT_TOKEN_MAX_AGE + 2 * LEEWAY_SECONDS:
                    del seen[old]
            if jti in seen:
                raise RpFailure(RpError.RP_LOGOUT_TOKEN_INVALID, "jti replayed")
            seen[jti] = now


def _left_half_hash(value: str, alg: str) -> str:
    """at_hash / c_hash: base64url of the left half of the hash named by the signing algorithm's size."""
    digest = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}[alg[-3:]](value.encode()).digest()
    return urlsafe_b64encode(digest[: len(digest) // 2]).decode().rstrip("=")

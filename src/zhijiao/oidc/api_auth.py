"""OIDC access tokens as bearer credentials for the /api/v1 API (other education apps calling Zhijiao's API).

An app that signed a person in through the OpenID Connect provider may call the API with the access token it
got, acting as that person: the same selectors filter what it sees as for the person in the browser. A token is
accepted while it is

* one this provider issued (looked up by its SHA-256 checksum, as django-oauth-toolkit stores it),
* not expired (``ACCESS_TOKEN_EXPIRE_SECONDS``, ten minutes by default) and not revoked (DOT deletes a revoked
  access token, and logout and refresh-token reuse revoke the family),
* for an active account, issued to an app that is still registered and switched on,
* granted the scope the endpoint needs (``resources:read`` …, shown to the person on the consent screen).

Rules applied when the token was issued are not re-checked per call: the registry's "who may use this app"
rule (:func:`zhijiao.oidc.selectors.app_allowed`) and the guardian consent a young pupil needs
(``zhijiao.privacy``) are enforced at the authorization and token endpoints (refresh included), and an access
token lives only minutes, so a withdrawn consent stops the app at its next refresh at the latest.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest
from ninja.security import HttpBearer
from oauth2_provider.models import get_access_token_model

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.errors import ApiScopeError
from zhijiao.identity.services import API_SCOPES

AccessToken = get_access_token_model()


def oidc_access_token_get(raw: str):
    """The live access token for a raw bearer value (with its account and app), or None."""
    if not raw or len(raw) > 255:
        return None
    token = (
        AccessToken.objects.select_related("user", "application")
        .filter(
            token_checksum=hashlib.sha256(raw.encode()).hexdigest(),
            user__is_active=True,
            application__registration__is_active=True,
        )
        .first()
    )
    if token is None or token.is_expired():
        return None
    return token


class OidcAccessToken(HttpBearer):
    """Bearer auth by an OIDC access token. ``scope``: what every endpoint behind this auth needs (None: the
    endpoint checks with ``identity.services.api_request_scope_require``)."""

    def __init__(self, scope: str | None) -> None:
        super().__init__()
        if scope is not None and scope not in API_SCOPES:
            raise ValueError(f"unknown scope {scope}")
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str):
        access = oidc_access_token_get(token)
        if access is None:
            return None
        request.user = access.user
        # read back by api_request_scope_require (endpoints needing more than the router's scope)
        request.oauth_scopes = frozenset(access.scope.split())  # type: ignore[attr-defined]
        request.oauth_token = access  # type: ignore[attr-defined]
        if self.scope and self.scope not in request.oauth_scopes:  # type: ignore[attr-defined]
            raise ZhijiaoError(
                ApiScopeError.IDENTITY_SCOPE_MISSING,
                detail=f"需要 {self.scope}：{API_SCOPES[self.scope]}",
                status=403,
            )
        return access.user

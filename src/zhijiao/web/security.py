"""Content-Security-Policy: pages run only the app's own scripts and the inline ones it marks with a nonce.

Every asset is served by the app (no CDN), so ``'self'`` covers scripts, styles, fonts and images. Inline
``<script>`` blocks carry ``nonce="{{ request.csp_nonce }}"``; inline event handlers are not allowed at all
(behaviour lives in ``web/static/web/app.js``). Styles allow ``'unsafe-inline'``: htmx injects its indicator
style and a few templates set widths inline, and style injection is not a script-execution risk.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from zhijiao.oidc.selectors import app_get_by_client_id

POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "media-src 'self'{media_sources}; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'{form_targets}; "
    "frame-ancestors 'none'"
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


@functools.cache
def _oauth_paths() -> tuple[str, str] | None:
    """The authorization and logout endpoints' paths, reversed once (this runs on every response)."""
    try:
        return reverse("oauth2_provider:authorize"), reverse("oauth2_provider:rp-initiated-logout")
    except NoReverseMatch:
        return None


def _oauth_form_targets(request: HttpRequest) -> str:
    """The app's origin where a form on this page ends after redirects: signing in (the login page on the way to
    the authorization endpoint, the consent page) returns to its redirect URI, signing out to its post-logout URI.
    Browsers apply form-action to every redirect of a form submission, so 'self' alone would stop single sign-on.
    Only addresses registered for that client count.
    """
    paths = _oauth_paths()
    if paths is None:
        return ""
    authorize, logout = paths
    params: dict[str, list[str]]
    if request.path == settings.LOGIN_URL:
        target = urlsplit(request.GET.get("next") or request.POST.get("next") or "")
        if target.path != authorize or target.netloc:
            return ""
        params = parse_qs(target.query)
    elif request.path in (authorize, logout):
        params = {k: request.GET.getlist(k) for k in request.GET}
    else:
        return ""
    client_id = (params.get("client_id") or [""])[0]
    uri = (params.get("redirect_uri") or params.get("post_logout_redirect_uri") or [""])[0]
    if not client_id or not _origin(uri):
        return ""
    app = app_get_by_client_id(client_id=client_id)
    if app is None:
        return ""
    registered = f"{app.application.redirect_uris} {app.application.post_logout_redirect_uris}".split()
    return f" {_origin(uri)}" if uri in registered else ""


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            targets = _oauth_form_targets(request)
            # players on the pages stream from the files origin (ZHIJIAO_FILES_ORIGIN) after a redirect
            files = getattr(settings, "ZHIJIAO_FILES_ORIGIN", "")
            response.headers["Content-Security-Policy"] = POLICY.format(
                nonce=nonce, form_targets=targets, media_sources=f" {files}" if files else ""
            )
        return response

"""Content-Security-Policy: pages run only the app's own scripts and the inline ones it marks with a nonce.

Every asset is served by the app (no CDN), so ``'self'`` covers scripts, styles, fonts and images. Inline
``<script>`` blocks carry ``nonce="{{ request.csp_nonce }}"``; inline event handlers are not allowed at all
(behaviour lives in ``web/static/web/app.js``). Styles allow ``'unsafe-inline'``: htmx injects its indicator
style and a few templates set widths inline, and style injection is not a script-execution risk.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY.format(nonce=nonce))
        return response

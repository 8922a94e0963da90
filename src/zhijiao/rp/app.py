"""The sample app as a plain WSGI application (served by waitress in ``zhijiao demo-rp``).

Routes: ``/`` (signed out: 使用智教账号登录; signed in: the claims), ``/login`` (to Zhijiao's authorization
endpoint), ``/callback`` (the registered redirect URI), ``/logout`` (POST: ends the local session, then
RP-initiated logout at Zhijiao), ``/backchannel-logout`` (POST from Zhijiao with a logout token).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from zhijiao.rp.errors import RpError, RpFailure
from zhijiao.rp.oidc import Provider
from zhijiao.rp.pages import error_page, home_page
from zhijiao.rp.sessions import COOKIE_NAME, Session, SessionStore

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 64 * 1024
StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]
SECURITY_HEADERS: Headers = [
    ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self' http: https:"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
]


class Request:
    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        self.path = str(environ.get("PATH_INFO", "/")) or "/"
        self.query = dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))
        cookie = SimpleCookie()
        try:
            cookie.load(str(environ.get("HTTP_COOKIE", "")))
        except Exception:  # a malformed Cookie header from another app on the same host: treat as none
            cookie = SimpleCookie()
        morsel = cookie.get(COOKIE_NAME)
        self.session_key = morsel.value if morsel else None

    def form(self) -> dict[str, str]:
        try:
            length = int(self.environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = self.environ["wsgi.input"].read(min(length, MAX_BODY)) if length > 0 else b""
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


class SampleApp:
    def __init__(self, provider: Provider, *, secure_cookies: bool = False) -> None:
        self.provider = provider
        self.sessions = SessionStore()
        self.secure_cookies = secure_cookies
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(provider.config.redirect_uri))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        routes: dict[tuple[str, str], Callable[[Request], tuple[int, Headers, bytes]]] = {
            ("GET", "/"): self.home,
            ("GET", "/login"): self.login,
            ("GET", "/callback"): self.callback,
            ("POST", "/logout"): self.logout,
            ("POST", "/backchannel-logout"): self.backchannel_logout,
            ("GET", "/static/rp.css"): self.stylesheet,
            ("GET", "/healthz"): self.healthz,
        }
        handler = routes.get((request.method, request.path))
        if handler is None:
            known = any(path == request.path for _, path in routes)
            status, headers, body = self._html(
                HTTPStatus.METHOD_NOT_ALLOWED if known else HTTPStatus.NOT_FOUND, error_page("页面不存在")
            )
        else:
            status, headers, body = handler(request)
        phrase = HTTPStatus(status).phrase
        start_response(f"{status} {phrase}", [*headers, ("Content-Length", str(len(body)))])
        return [body]

    # ------------------------------------------------------------------ helpers
    def _html(self, status: int, html: str, session: Session | None = None) -> tuple[int, Headers, bytes]:
        headers = [("Content-Type", "text/html; charset=utf-8"), *SECURITY_HEADERS]
        if session is not None:
            headers.append(self._cookie(session))
        return status, headers, html.encode()

    def _redirect(self, location: str, session: Session | None = None) -> tuple[int, Headers, bytes]:
        headers = [("Location", location), ("Cache-Control", "no-store")]
        if session is not None:
            headers.append(self._cookie(session))
        return HTTPStatus.FOUND, headers, b""

    def _cookie(self, session: Session) -> tuple[str, str]:
        secure = "; Secure" if self.secure_cookies else ""
        return "Set-Cookie", f"{COOKIE_NAME}={session.key}; Path=/; HttpOnly; SameSite=Lax{secure}"

    def _json(self, status: int, data: dict[str, Any]) -> tuple[int, Headers, bytes]:
        body = json.dumps(data, ensure_ascii=False).encode()
        return status, [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")], body

    # ------------------------------------------------------------------ pages
    def home(self, request: Request) -> tuple[int, Headers, bytes]:
        session = self.sessions.get_or_create(request.session_key)
        html = home_page(session)
        session.ended = ""  # the notice shows once
        return self._html(HTTPStatus.OK, html, session)

    def login(self, request: Request) -> tuple[int, Headers, bytes]:
        session = self.sessions.get_or_create(request.session_key)
        try:
            pending = self.provider.login_start()
        except RpFailure as exc:
            logger.warning("sample app: sign-in could not start: %s", exc)
            return self._html(HTTPStatus.BAD_GATEWAY, home_page(session, error=exc.error.message), session)
        self.sessions.login_begin(session, pending)
        return self._redirect(pending.url, session)

    def callback(self, request: Request) -> tuple[int, Headers, bytes]:
        session = self.sessions.get_or_create(request.session_key)
        pending = self.sessions.login_pending(session)
        try:
            if pending is None:
                raise RpFailure(RpError.RP_STATE_MISMATCH, "no pending login in this session")
            signed_in = self.provider.login_finish(pending=pending, params=request.query)
        except RpFailure as exc:
            logger.warning("sample app: sign-in refused: %s", exc)
            return self._html(HTTPStatus.BAD_REQUEST, home_page(session, error=exc.error.message), session)
        fresh = self.sessions.sign_in(session, signed_in)
        logger.info("sample app: signed in sub=%s sid=%s", fresh.sub, fresh.sid)
        return self._redirect("/", fresh)

    def logout(self, request: Request) -> tuple[int, Headers, bytes]:
        origin = request.environ.get("HTTP_ORIGIN")
        if origin and origin != self.origin:
            return self._html(HTTPStatus.FORBIDDEN, error_page("请求来源不正确"))
        session = self.sessions.get_or_create(request.session_key)
        signed_in = self.sessions.sign_out(session, reason="local")
        target = None
        if signed_in is not None:
            try:
                target = self.provider.end_session_url(id_token=signed_in.id_token)
            except RpFailure as exc:
                logger.warning("sample app: no RP-initiated logout: %s", exc)
        return self._redirect(target or "/", session)

    def backchannel_logout(self, request: Request) -> tuple[int, Headers, bytes]:
        token = request.form().get("logout_token", "")
        if not token:
            return self._json(
                HTTPStatus.BAD_REQUEST, {"error": "invalid_request", "error_description": "缺少 logout_token"}
            )
        try:
            claims = self.provider.logout_token_validate(token)
        except RpFailure as exc:
            logger.warning("sample app: logout token refused: %s", exc)
            return self._json(
                HTTPStatus.BAD_REQUEST, {"error": "invalid_request", "error_description": exc.error.message}
            )
        ended = self.sessions.end_by_provider(sub=str(claims.get("sub", "")), sid=str(claims.get("sid", "")))
        logger.info(
            "sample app: back-channel logout sub=%s sid=%s ended %d", claims.get("sub"), claims.get("sid"), ended
        )
        return HTTPStatus.OK, [("Cache-Control", "no-store"), ("Content-Type", "text/plain; charset=utf-8")], b""

    def stylesheet(self, request: Request) -> tuple[int, Headers, bytes]:
        body = (STATIC / "rp.css").read_bytes()
        return HTTPStatus.OK, [("Content-Type", "text/css; charset=utf-8"), ("Cache-Control", "max-age=3600")], body

    def healthz(self, request: Request) -> tuple[int, Headers, bytes]:
        return self._json(HTTPStatus.OK, {"status": "ok"})

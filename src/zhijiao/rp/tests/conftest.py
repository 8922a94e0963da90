"""A signing issuer on 127.0.0.1 for the sample app's own checks: discovery and JWKS over real HTTP, and tokens
signed with its key (or with keys it does not publish). The end-to-end tests use Zhijiao itself instead."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from zhijiao.rp.oidc import BACKCHANNEL_LOGOUT_EVENT, ClientConfig, Provider

CLIENT_ID = "sample-client"


@dataclass
class Issuer:
    url: str
    keys: list[RSAKey] = field(default_factory=list)
    jwks_fetches: int = 0

    def sign(self, claims: dict[str, Any], *, key: RSAKey | None = None, typ: str = "JWT", alg: str = "RS256") -> str:
        key = key or self.keys[-1]
        return jwt.encode({"alg": alg, "kid": key.kid, "typ": typ}, claims, key)

    def id_token_claims(self, **over: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "sub": "subject-1", "iat": now, "exp": now + 600}
        claims |= {"nonce": "n-1", "sid": "sid-1", "name": "王老师"}
        return {k: v for k, v in (claims | over).items() if v is not None}

    def logout_claims(self, **over: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 120, "jti": uuid.uuid4().hex}
        claims |= {"events": {BACKCHANNEL_LOGOUT_EVENT: {}}, "sub": "subject-1", "sid": "sid-1"}
        return {k: v for k, v in (claims | over).items() if v is not None}


def new_key() -> RSAKey:
    key = RSAKey.generate_key(2048)
    key.ensure_kid()
    return key


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    state = Issuer(url="", keys=[new_key()])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                body: dict[str, Any] = {
                    "issuer": state.url,
                    "authorization_endpoint": f"{state.url}/o/authorize/",
                    "token_endpoint": f"{state.url}/o/token/",
                    "userinfo_endpoint": f"{state.url}/o/userinfo/",
                    "jwks_uri": f"{state.url}/o/jwks/",
                    "end_session_endpoint": f"{state.url}/o/logout/",
                }
            elif self.path == "/o/jwks/":
                state.jwks_fetches += 1
                body = KeySet(list(state.keys)).as_dict(private=False)
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def provider(issuer: Issuer) -> Provider:
    return Provider(
        ClientConfig(
            issuer=issuer.url,
            client_id=CLIENT_ID,
            client_secret="a-long-client-secret-for-the-tests-only",
            redirect_uri="http://127.0.0.1:8761/callback",
            post_logout_redirect_uri="http://127.0.0.1:8761/",
        )
    )

"""Build and serve the sample app (used by ``zhijiao demo-rp``, the browser tests and the screenshots)."""

from __future__ import annotations

from waitress.server import create_server

from zhijiao.rp.app import SampleApp
from zhijiao.rp.oidc import DEFAULT_SCOPE, ClientConfig, Provider
from zhijiao.rp.registration import RpClient


def sample_app_build(*, client: RpClient, issuer: str, scope: str = DEFAULT_SCOPE) -> SampleApp:
    config = ClientConfig(
        issuer=issuer.rstrip("/"),
        client_id=client.client_id,
        client_secret=client.client_secret,
        redirect_uri=client.redirect_uri,
        post_logout_redirect_uri=client.post_logout_redirect_uri,
        scope=scope,
    )
    return SampleApp(Provider(config))


def sample_app_server(app: SampleApp, *, host: str, port: int, threads: int = 4):
    """A waitress server not yet running: ``.run()`` serves until ``.close()``."""
    return create_server(app, host=host, port=port, threads=threads, ident="zhijiao-demo-rp")

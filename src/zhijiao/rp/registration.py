"""Register the sample app in Zhijiao's app registry, or reuse its earlier registration.

The client secret is stored hashed by the registry, so the sample app keeps its own copy next to the data
(``$ZHIJIAO_HOME/demo-rp.json``, mode 0600), as any deployed app keeps its secret in its own configuration.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from zhijiao.oidc.models import RegisteredApp
from zhijiao.oidc.selectors import app_get_by_client_id
from zhijiao.oidc.services import app_register, app_secret_reset, app_set_active, app_update

APP_NAME = "示例应用"
APP_DESCRIPTION = "接入智教统一身份认证的演示应用：登录后显示智教提供的身份信息"


@dataclass(frozen=True)
class RpClient:
    client_id: str
    client_secret: str
    base_url: str

    @property
    def redirect_uri(self) -> str:
        return f"{self.base_url}/callback"

    @property
    def post_logout_redirect_uri(self) -> str:
        return f"{self.base_url}/"

    @property
    def backchannel_logout_uri(self) -> str:
        return f"{self.base_url}/backchannel-logout"


def credentials_path() -> Path:
    return Path(settings.HOME) / "demo-rp.json"


def _saved(path: Path) -> RpClient | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return RpClient(str(data["client_id"]), str(data["client_secret"]), str(data["base_url"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(path: Path, client: RpClient) -> None:
    path.write_text(json.dumps(asdict(client), ensure_ascii=False, indent=2), encoding="utf-8")
    os.chmod(path, 0o600)


@transaction.atomic
def demo_rp_register(*, base_url: str, trusted: bool = False, path: Path | None = None) -> RpClient:
    """The sample app's client for ``base_url`` (e.g. ``http://127.0.0.1:8001``): reused when registered before,
    its addresses brought up to date when the port changed; registered (by the operator, ``actor=None``) otherwise.
    """
    path = path or credentials_path()
    base_url = base_url.rstrip("/")
    saved = _saved(path)
    app = app_get_by_client_id(client_id=saved.client_id) if saved else None
    secret = saved.client_secret if saved and app else ""
    if app is None:
        # Registered earlier from another $ZHIJIAO_HOME copy, or its secret file was lost: same name, new secret.
        app = RegisteredApp.objects.select_related("application").filter(application__name=APP_NAME).first()
        if app is not None:
            secret = app_secret_reset(actor=None, app=app)
    wanted = RpClient(client_id="", client_secret="", base_url=base_url)
    if app is None:
        app, new_secret = app_register(
            actor=None,
            name=APP_NAME,
            description=APP_DESCRIPTION,
            redirect_uris=[wanted.redirect_uri],
            post_logout_redirect_uris=[wanted.post_logout_redirect_uri],
            backchannel_logout_uri=wanted.backchannel_logout_uri,
            home_url=f"{base_url}/",
            trusted=trusted,
        )
        secret = new_secret or ""
    else:
        application = app.application
        if (
            application.redirect_uris != wanted.redirect_uri
            or application.post_logout_redirect_uris != wanted.post_logout_redirect_uri
            or app.backchannel_logout_uri != wanted.backchannel_logout_uri
            or application.skip_authorization != trusted
        ):
            app_update(
                actor=None,
                app=app,
                name=str(application.name),
                description=app.description,
                redirect_uris=[wanted.redirect_uri],
                post_logout_redirect_uris=[wanted.post_logout_redirect_uri],
                backchannel_logout_uri=wanted.backchannel_logout_uri,
                home_url=f"{base_url}/",
                trusted=trusted,
                allowed_roles=app.allowed_roles,
                schools=app.allowed_schools.all(),
                divisions=app.allowed_divisions.all(),
            )
        if not app.is_active:
            app_set_active(actor=None, app=app, active=True)
    client = RpClient(client_id=str(app.application.client_id), client_secret=secret, base_url=base_url)
    _save(path, client)
    return client

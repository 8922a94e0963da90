from __future__ import annotations

import pytest
from oauth2_provider.models import get_application_model

from zhijiao.oidc.models import RegisteredApp


def make_app(name: str, *, trusted: bool = False) -> RegisteredApp:
    """A registered OIDC client (the registry's own service belongs to the oidc app; this is a plain factory)."""
    application = get_application_model().objects.create(
        name=name,
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=f"https://{name.lower()}.example.cn/callback",
        skip_authorization=trusted,
        algorithm="RS256",
    )
    return RegisteredApp.objects.create(application=application, description=f"{name} 的简介")


@pytest.fixture
def app(db) -> RegisteredApp:
    return make_app("Homework")

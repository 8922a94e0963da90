"""An app acting for a person: an OIDC access token with the xapi:write / xapi:read scopes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from zhijiao.oidc.claims import subject_for
from zhijiao.xapi.services import app_for_lrs
from zhijiao.xapi.tests.conftest import statement

AccessToken = get_access_token_model()


def _token(app, user, scope: str, raw: str) -> dict[str, str]:
    AccessToken.objects.create(
        user=user, application=app.application, token=raw, scope=scope, expires=timezone.now() + timedelta(minutes=5)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_X_EXPERIENCE_API_VERSION": "2.0.0"}


@pytest.mark.django_db
def test_bearer_tokens_write_and_read_with_their_scopes(lrs) -> None:
    app, _ = app_for_lrs(name="练习应用")
    pupil = get_user_model().objects.create_user(username="pupil-x", password="x")
    writer = _token(app, pupil, "openid xapi:write xapi:read", "w" * 40)
    reader = _token(app, pupil, "openid", "r" * 40)
    client = Client()
    response = client.post("/xapi/statements", json.dumps(statement()), content_type="application/json", **writer)
    assert response.status_code == 200, response.content
    [sid] = response.json()
    data = client.get("/xapi/statements", {"statementId": sid}, **writer).json()
    # the OAuth authority: the app and the person (by the opaque sub, never a name)
    members = data["authority"]["member"]
    assert data["authority"]["objectType"] == "Group" and len(members) == 2
    assert members[1]["account"]["name"] == subject_for(pupil)
    # without the scope: 403; another app's Basic credential does not see it
    assert client.get("/xapi/statements", {"statementId": sid}, **reader).status_code == 403
    assert lrs.get("statements", {"statementId": sid}).status_code == 404
    bad = {"HTTP_AUTHORIZATION": "Bearer nope", "HTTP_X_EXPERIENCE_API_VERSION": "2.0.0"}
    assert client.get("/xapi/statements", **bad).status_code == 401

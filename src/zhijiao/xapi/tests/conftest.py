from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from zhijiao.xapi.services import app_for_lrs, credential_issue


@dataclass
class Lrs:
    """One app's HTTP Basic client for /xapi/ (Django's test client), speaking xAPI ``version``."""

    client: Client
    key: str
    secret: str
    version: str = "2.0.0"

    def headers(self, **extra: str) -> dict[str, str]:
        token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        return {"HTTP_AUTHORIZATION": f"Basic {token}", "HTTP_X_EXPERIENCE_API_VERSION": self.version, **extra}

    def get(self, path: str, params: dict[str, Any] | None = None, **extra: str):
        return self.client.get(f"/xapi/{path}", params or {}, **self.headers(**extra))

    def send(self, method: str, path: str, body: bytes | str, content_type: str = "application/json", **extra: str):
        call = getattr(self.client, method.lower())
        return call(f"/xapi/{path}", data=body, content_type=content_type, **self.headers(**extra))


def _lrs(name: str) -> Lrs:
    app, _ = app_for_lrs(name=name)
    issued = credential_issue(app=app)
    return Lrs(client=Client(), key=issued.key, secret=issued.secret)


@pytest.fixture
def lrs(db) -> Lrs:
    return _lrs("学习应用甲")


@pytest.fixture
def other_lrs(db) -> Lrs:
    return _lrs("学习应用乙")


def statement(**extra: Any) -> dict[str, Any]:
    return {
        "actor": {"objectType": "Agent", "name": "学生", "mbox": "mailto:pupil@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"zh-CN": "完成"}},
        "object": {"id": "http://example.com/activities/lesson-1", "definition": {"name": {"zh-CN": "第一课"}}},
        **extra,
    }

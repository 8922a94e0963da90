from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from zhijiao.oidc.models import RegisteredApp
from zhijiao.xapi.models import Credential


@pytest.mark.django_db
def test_credentials_registers_the_app_and_prints_json() -> None:
    out = StringIO()
    call_command(
        "xapi", "credentials", "--app", "作业应用", "--base-url", "https://edu.example.cn/", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["endpoint"] == "https://edu.example.cn/xapi/"
    assert data["key"] and data["secret"]
    app = RegisteredApp.objects.get(application__name="作业应用")
    credential = Credential.objects.get(key=data["key"])
    assert credential.app == app and data["secret"] not in credential.secret_hash
    # a second call reuses the registration and issues another credential
    call_command("xapi", "credentials", "--app", "作业应用", "--json", stdout=StringIO())
    assert RegisteredApp.objects.filter(application__name="作业应用").count() == 1
    assert Credential.objects.filter(app=app).count() == 2

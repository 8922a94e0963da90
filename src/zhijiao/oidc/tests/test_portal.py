"""The portal (我的应用) and the registry pages (应用管理) as a browser meets them."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from oauth2_provider.models import get_application_model

from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.identity.services import account_create, role_grant
from zhijiao.oidc.models import RegisteredApp
from zhijiao.oidc.services import app_register, app_set_active
from zhijiao.org.models import Division
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db
Application = get_application_model()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def media(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def apps(region):
    def register(name, **kw):
        host = f"app{RegisteredApp.objects.count()}"
        kw.setdefault("redirect_uris", [f"https://{host}.example.com/cb"])
        kw.setdefault("home_url", f"https://{host}.example.com/")
        return app_register(actor=None, name=name, description=f"{name}的简介", **kw)[0]

    made = {
        "every": register("全员通用"),
        "teachers": register("教师备课", allowed_roles=["teacher", "head_teacher"]),
        "families": register("家校沟通", allowed_roles=["parent", "student"]),
        "jiangan": register("江岸区平台", divisions=[Division.objects.get(pk="420102")]),
        "school_a": register("一小选课", schools=[region.schools["A"]]),
        "off": register("已停用应用"),
    }
    app_set_active(actor=None, app=made["off"], active=False)
    return made


def sysadmin():
    account = account_create(username="sysadmin", password=None)
    role_grant(account=account, role=Role.SYSTEM_ADMIN)
    return account


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# ---------------------------------------------------------------------- portal


def test_portal_lists_exactly_the_allowed_apps(client, region, apps):
    names = {key: app.application.name for key, app in apps.items()}
    expected = {
        "admin": {"every"},
        "bureau": {"every"},
        "city": {"every"},
        "inspector": {"every"},
        "principal": {"every", "school_a"},
        "head": {"every", "teachers", "school_a"},
        "teacher": {"every", "teachers", "school_a"},
        "student": {"every", "families", "school_a"},
        "parent": {"every", "families", "school_a"},
        "nobody": {"every", "teachers", "jiangan"},
    }
    for username, keys in expected.items():
        login_as(client, region.accounts[username])
        for url in ("/apps/", "/"):
            html = page(client, url)
            shown = {key for key, name in names.items() if f'title="{name}"' in html}
            assert shown == keys, (username, url, shown)
        assert f'href="{apps["every"].home_url}"' in html


def test_portal_empty_state(client, region):
    login_as(client, region.accounts["teacher"])
    assert "暂时没有可用的应用" in page(client, "/apps/")
    assert "暂时没有为您开通的应用" in page(client, "/")


def test_navigation_shows_the_portal_to_all_and_the_registry_to_app_administrators(client, region):
    login_as(client, region.accounts["teacher"])
    html = page(client, "/")
    assert 'href="/apps/"' in html and 'href="/apps/registry/"' not in html
    login_as(client, sysadmin())
    html = page(client, "/apps/registry/")
    assert re.search(r'href="/apps/registry/" class="active"', html)


# -------------------------------------------------------------------- registry


def test_registry_pages_are_for_platform_and_system_administrators_only(client, region, apps):
    pk = apps["every"].pk
    urls = ["/apps/registry/", "/apps/registry/new/", f"/apps/registry/{pk}/"]
    for account in (region.accounts["admin"], sysadmin()):
        login_as(client, account)
        for url in urls:
            page(client, url)
    security = account_create(username="secadmin", password=None)
    role_grant(account=security, role=Role.SECURITY_ADMIN)
    for account in (security, *(region.accounts[u] for u in ("bureau", "principal", "teacher", "parent"))):
        login_as(client, account)
        for url in urls:
            page(client, url, status=403)
        for url in (f"/apps/registry/{pk}/secret/", f"/apps/registry/{pk}/active/"):
            assert client.post(url, {"active": "0"}).status_code == 403
    assert RegisteredApp.objects.get(pk=pk).is_active
    client_id = apps["every"].application.client_id
    assert not AuditEvent.objects.filter(action__in=["app.secret_reset", "app.disable"], target_id=client_id).exists()
    client.logout()
    response = client.get("/apps/registry/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_registry_list_shows_type_trust_status_and_who(client, region, apps):
    login_as(client, region.accounts["admin"])
    html = page(client, "/apps/registry/")
    assert apps["every"].application.client_id in html
    for text in ("机密", "全部角色", "全平台", "教师", "班主任", "江岸区", "东西湖区第一小学", "停用", "启用"):
        assert text in html, text


def _secret_from(html: str) -> str:
    match = re.search(r'<output id="client-secret">([^<]+)</output>', html)
    assert match, html[:2000]
    return match.group(1)


def test_register_through_the_form_shows_the_secret_once(client, region, media):
    login_as(client, region.accounts["admin"])
    response = client.post(
        "/apps/registry/new/",
        {
            "name": "智慧阅读",
            "description": "整本书阅读与打卡",
            "home_url": "https://yuedu.example.com/",
            "redirect_uris": "https://yuedu.example.com/cb\nhttps://yuedu.example.com/cb2",
            "post_logout_redirect_uris": "https://yuedu.example.com/",
            "backchannel_logout_uri": "https://yuedu.example.com/bc",
            "client_type": "confidential",
            "trusted": "on",
            "allowed_roles": ["teacher", "student"],
            "schools": [str(region.schools["A"].pk)],
            "divisions": ["420102"],
            "logo": _png_upload(),
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "请立即复制保存，关闭后将无法再次查看" in html
    secret = _secret_from(html)
    app = RegisteredApp.objects.select_related("application").get(application__name="智慧阅读")
    assert app.application.client_id in html
    assert app.application.client_secret != secret and check_password(secret, app.application.client_secret)
    assert app.application.redirect_uris == "https://yuedu.example.com/cb https://yuedu.example.com/cb2"
    assert app.application.skip_authorization and app.allowed_roles == ["teacher", "student"]
    assert list(app.allowed_schools.all()) == [region.schools["A"]]
    assert [d.code for d in app.allowed_divisions.all()] == ["420102"]
    assert AuditEvent.objects.filter(action="app.register", actor=region.accounts["admin"]).count() == 1
    # never again: not on the list, not on the edit page
    for url in ("/apps/registry/", f"/apps/registry/{app.pk}/"):
        assert secret not in page(client, url)
    # the logo is served to users who may use the app, and to nobody else
    login_as(client, region.accounts["teacher"])
    response = client.get(f"/apps/{app.pk}/logo")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    login_as(client, region.accounts["parent"])
    assert client.get(f"/apps/{app.pk}/logo").status_code == 404


def _png_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("logo.png", PNG, content_type="image/png")


def test_public_client_registration_has_no_secret(client, region):
    login_as(client, region.accounts["admin"])
    response = client.post(
        "/apps/registry/new/",
        {"name": "移动端", "redirect_uris": "http://localhost:5173/cb", "client_type": "public"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "公开客户端已登记" in html
    assert 'id="client-secret"' not in html
    assert Application.objects.get(name="移动端").client_type == "public"


def test_form_errors_show_under_their_field_and_nothing_is_created(client, region):
    login_as(client, region.accounts["admin"])
    response = client.post(
        "/apps/registry/new/",
        {"name": "不安全的应用", "redirect_uris": "http://insecure.example.com/cb", "client_type": "confidential"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "除 localhost 和 127.0.0.1 外，地址必须使用 https://" in html
    assert "http://insecure.example.com/cb</textarea>" in html  # what was typed stays
    assert not RegisteredApp.objects.exists()


def test_edit_secret_reset_and_disable_through_the_pages(client, region, apps):
    app = apps["teachers"]
    stored = app.application.client_secret
    login_as(client, sysadmin())
    response = client.post(
        f"/apps/registry/{app.pk}/",
        {
            "name": "教师备课平台",
            "description": "集体备课",
            "home_url": "https://beike.example.com/",
            "redirect_uris": "https://beike.example.com/cb",
            "allowed_roles": ["teacher"],
        },
    )
    assert response.status_code == 302
    app.refresh_from_db()
    app.application.refresh_from_db()
    assert app.application.name == "教师备课平台" and app.allowed_roles == ["teacher"]
    assert app.application.client_type == "confidential" and app.application.client_secret == stored
    assert not app.application.skip_authorization

    response = client.post(f"/apps/registry/{app.pk}/secret/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = _secret_from(response.content.decode())
    app.application.refresh_from_db()
    assert check_password(secret, app.application.client_secret)
    assert client.get(f"/apps/registry/{app.pk}/secret/").status_code == 405  # a GET never resets

    assert client.post(f"/apps/registry/{app.pk}/active/", {"active": "0"}).status_code == 302
    login_as(client, region.accounts["teacher"])
    assert 'title="教师备课平台"' not in page(client, "/apps/")
    actions = AuditEvent.objects.filter(action__startswith="app.").order_by("id").values_list("action", flat=True)
    assert list(actions)[-3:] == ["app.update", "app.secret_reset", "app.disable"]


def test_demo_apps_give_every_demo_role_something_true_to_show(client, region):
    from zhijiao.demo.apps import DEMO_APPS, register_demo_apps

    made = register_demo_apps(root="420112")
    assert [a.application.name for a in made] == [spec["name"] for spec in DEMO_APPS]
    assert register_demo_apps(root="420112") == []  # idempotent by name
    login_as(client, region.accounts["teacher"])
    html = page(client, "/apps/")
    assert all(f'title="{n}"' in html for n in ("作业与练习", "智慧课堂", "家校沟通"))
    assert 'title="督导评估"' not in html
    login_as(client, region.accounts["inspector"])
    assert 'title="督导评估"' in page(client, "/apps/")
    login_as(client, region.accounts["parent"])
    html = page(client, "/apps/")
    assert 'title="家校沟通"' in html and 'title="智慧课堂"' not in html

"""The app registry: registration checks, secrets shown once and stored hashed, who administers, who may use."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.core.files.uploadedfile import SimpleUploadedFile
from oauth2_provider.models import AccessToken, get_application_model

from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import Forbidden, ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create, role_grant
from zhijiao.oidc.errors import RegistryError
from zhijiao.oidc.models import RegisteredApp
from zhijiao.oidc.selectors import app_allowed, app_list, app_may_administer, apps_for
from zhijiao.oidc.services import app_register, app_secret_reset, app_set_active, app_update
from zhijiao.org.models import Division

Application = get_application_model()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _register(actor=None, name="作业系统", **kw):
    kw.setdefault("redirect_uris", ["https://zuoye.example.cn/oidc/callback"])
    return app_register(actor=actor, name=name, **kw)


def system_admin(username="sysadmin") -> Account:
    account = account_create(username=username, password=None)
    role_grant(account=account, role=Role.SYSTEM_ADMIN)
    return account


# ---------------------------------------------------------------- registration


@pytest.mark.django_db
def test_register_confidential_client_secret_is_returned_once_and_stored_hashed(region):
    app, secret = _register(
        actor=region.accounts["admin"],
        trusted=True,
        home_url="https://zuoye.example.cn/",
        backchannel_logout_uri="https://zuoye.example.cn/oidc/backchannel",
        post_logout_redirect_uris=["https://zuoye.example.cn/"],
        allowed_roles=["teacher", "student"],
    )
    application = Application.objects.get(pk=app.application_id)
    assert secret and len(secret) >= 32
    assert application.client_secret != secret
    assert check_password(secret, application.client_secret)
    assert not check_password(secret + "x", application.client_secret)
    assert application.client_type == "confidential"
    assert application.authorization_grant_type == "authorization-code"
    assert application.algorithm == "RS256"
    assert application.skip_authorization is True
    assert application.redirect_uris == "https://zuoye.example.cn/oidc/callback"
    assert application.post_logout_redirect_uris == "https://zuoye.example.cn/"
    assert app.allowed_roles == ["teacher", "student"]
    assert app.created_by == region.accounts["admin"]
    event = AuditEvent.objects.get(action="app.register")
    assert event.actor == region.accounts["admin"]
    assert event.target_id == application.client_id
    assert event.target_label == "作业系统"


@pytest.mark.django_db
def test_public_client_has_no_secret():
    app, secret = _register(public=True, redirect_uris=["http://localhost:5173/callback"])
    assert secret is None
    assert app.application.client_type == "public"
    with pytest.raises(ZhijiaoError) as exc:
        app_secret_reset(actor=None, app=app)
    assert exc.value.error == RegistryError.APP_PUBLIC_NO_SECRET


@pytest.mark.parametrize(
    ("uris", "error"),
    [
        ([], RegistryError.APP_REDIRECT_REQUIRED),
        (["   "], RegistryError.APP_REDIRECT_REQUIRED),
        (["/oidc/callback"], RegistryError.APP_URI_INVALID),
        (["zuoye.example.cn/callback"], RegistryError.APP_URI_INVALID),
        (["ftp://zuoye.example.cn/callback"], RegistryError.APP_URI_INVALID),
        (["javascript:alert(1)"], RegistryError.APP_URI_INVALID),
        (["https://zuoye.example.cn/callback#top"], RegistryError.APP_URI_INVALID),
        (["https://"], RegistryError.APP_URI_INVALID),
        (["http://zuoye.example.cn/callback"], RegistryError.APP_URI_HTTPS),
        (["https://ok.example.cn/cb", "http://10.0.0.5/cb"], RegistryError.APP_URI_HTTPS),
    ],
)
@pytest.mark.django_db
def test_redirect_uri_checks(uris, error):
    with pytest.raises(ZhijiaoError) as exc:
        _register(redirect_uris=uris)
    assert exc.value.error == error
    assert "回调地址" in exc.value.message
    assert not Application.objects.exists() and not RegisteredApp.objects.exists()


@pytest.mark.django_db
def test_local_http_redirects_are_allowed_and_lines_are_deduplicated():
    app, _ = _register(
        redirect_uris=["http://localhost:8000/cb", "http://127.0.0.1:8000/cb http://localhost:8000/cb", ""]
    )
    assert app.application.redirect_uris == "http://localhost:8000/cb http://127.0.0.1:8000/cb"


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"name": "  "}, RegistryError.APP_NAME_REQUIRED),
        ({"name": "长" * 65}, RegistryError.APP_NAME_LONG),
        ({"description": "长" * 201}, RegistryError.APP_DESCRIPTION_LONG),
        ({"allowed_roles": ["teacher", "janitor"]}, RegistryError.APP_ROLE_UNKNOWN),
        ({"backchannel_logout_uri": "http://zuoye.example.cn/bc"}, RegistryError.APP_URI_HTTPS),
        ({"post_logout_redirect_uris": ["https://x.example.cn/#a"]}, RegistryError.APP_URI_INVALID),
        ({"home_url": "zuoye.example.cn"}, RegistryError.APP_URI_INVALID),
        ({"logo": SimpleUploadedFile("logo.svg", b"<svg/>")}, RegistryError.APP_LOGO_TYPE),
        ({"logo": SimpleUploadedFile("logo.png", b"GIF89a....")}, RegistryError.APP_LOGO_TYPE),
        ({"logo": SimpleUploadedFile("logo.png", PNG + b"\x00" * 600_000)}, RegistryError.APP_LOGO_SIZE),
    ],
)
@pytest.mark.django_db
def test_field_checks(kw, error):
    with pytest.raises(ZhijiaoError) as exc:
        _register(**kw)
    assert exc.value.error == error


@pytest.mark.django_db
def test_names_are_unique_and_the_home_url_may_be_plain_http(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    app, _ = _register(home_url="http://zuoye.school.local/", logo=SimpleUploadedFile("Logo.PNG", PNG))
    assert app.home_url == "http://zuoye.school.local/"
    assert app.logo.name.endswith(".png")
    with pytest.raises(ZhijiaoError) as exc:
        _register(name="作业系统 ")
    assert exc.value.error == RegistryError.APP_NAME_TAKEN


# ------------------------------------------------------------- administration


@pytest.mark.django_db
def test_who_may_administer(region):
    assert app_may_administer(actor=region.accounts["admin"])
    assert app_may_administer(actor=system_admin())
    for username in ("bureau", "city", "inspector", "principal", "head", "teacher", "student", "parent"):
        account = region.accounts[username]
        assert not app_may_administer(actor=account), username
        with pytest.raises(Forbidden):
            _register(actor=account, name=f"应用{username}")
        with pytest.raises(Forbidden):
            app_list(actor=account)
    for role in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        account = account_create(username=role.value, password=None)
        role_grant(account=account, role=role)
        assert not app_may_administer(actor=account)
    app, _ = _register(actor=system_admin("sys2"))
    with pytest.raises(Forbidden):
        app_secret_reset(actor=region.accounts["bureau"], app=app)
    with pytest.raises(Forbidden):
        app_set_active(actor=region.accounts["teacher"], app=app, active=False)
    assert list(app_list(actor=region.accounts["admin"])) == [app]


@pytest.mark.django_db
def test_secret_reset_replaces_the_secret(region):
    app, first = _register()
    second = app_secret_reset(actor=region.accounts["admin"], app=app)
    stored = Application.objects.get(pk=app.application_id).client_secret
    assert second != first
    assert check_password(second, stored)
    assert not check_password(first, stored)
    event = AuditEvent.objects.get(action="app.secret_reset")
    assert event.actor == region.accounts["admin"]
    assert second not in str(AuditEvent.objects.values_list().get(pk=event.pk))


@pytest.mark.django_db
def test_update_records_the_changed_fields(region):
    app, _ = _register(allowed_roles=["teacher"])
    stored = app.application.client_secret
    app_update(
        actor=region.accounts["admin"],
        app=app,
        name="作业平台",
        redirect_uris=["https://zuoye.example.cn/oidc/callback"],
        trusted=True,
        allowed_roles=["teacher"],
        schools=[region.schools["A"]],
    )
    app.refresh_from_db()
    app.application.refresh_from_db()
    assert app.application.name == "作业平台"
    assert app.application.skip_authorization
    assert app.application.client_secret == stored  # the secret stays
    assert list(app.allowed_schools.all()) == [region.schools["A"]]
    event = AuditEvent.objects.get(action="app.update")
    assert set(event.fields) == {"name", "skip_authorization", "allowed_schools"}
    same = {
        "name": "作业平台",
        "redirect_uris": ["https://zuoye.example.cn/oidc/callback"],
        "trusted": True,
        "allowed_roles": ["teacher"],
        "schools": [region.schools["A"]],
    }
    app_update(actor=region.accounts["admin"], app=app, **same)  # nothing changed: nothing to audit
    assert AuditEvent.objects.filter(action="app.update").count() == 1
    with pytest.raises(ZhijiaoError):
        app_update(actor=None, app=app, name="作业平台", redirect_uris=["http://x.example.cn/"], trusted=False)


@pytest.mark.django_db
def test_disable_revokes_tokens_and_hides_the_app(region):
    teacher = region.accounts["teacher"]
    app, _ = _register()
    AccessToken.objects.create(user=teacher, application=app.application, token="t" * 40, expires="2099-01-01T00:00Z")
    assert app_allowed(actor=teacher, app=app)
    app_set_active(actor=region.accounts["admin"], app=app, active=False)
    assert not AccessToken.objects.exists()
    assert not app_allowed(actor=teacher, app=app)
    assert apps_for(actor=teacher) == []
    app_set_active(actor=region.accounts["admin"], app=app, active=True)
    assert apps_for(actor=teacher) == [app]
    assert list(
        AuditEvent.objects.filter(action__startswith="app.").order_by("id").values_list("action", flat=True)
    ) == [
        "app.register",
        "app.disable",
        "app.enable",
    ]


# ---------------------------------------------------------------- who may use


@pytest.mark.django_db
def test_app_allowed_by_role(region):
    app, _ = _register(allowed_roles=["teacher", "head_teacher"])
    allowed = {u for u, a in region.accounts.items() if app_allowed(actor=a, app=app)}
    assert allowed == {"teacher", "head", "nobody"}


@pytest.mark.django_db
def test_app_allowed_by_school_and_division(region):
    only_a, _ = _register(name="A校应用", schools=[region.schools["A"]])
    dxh, _ = _register(name="东西湖区应用", divisions=[Division.objects.get(pk="420112")])
    city, _ = _register(name="武汉市应用", divisions=[Division.objects.get(pk="4201")])

    def users(app):
        return {u for u, a in region.accounts.items() if app_allowed(actor=a, app=app)}

    # the parent's children are in A and B; the 武汉市 bureau grant sits above 东西湖区, not inside it
    assert users(only_a) == {"principal", "head", "teacher", "student", "parent"}
    assert users(dxh) == {"bureau", "inspector", "principal", "head", "teacher", "student", "parent"}
    assert users(city) == {"bureau", "city", "inspector", "principal", "head", "teacher", "student", "parent", "nobody"}


@pytest.mark.django_db
def test_role_and_node_must_hold_on_the_same_grant(region):
    # nobody teaches in C; give them a parent grant for a child in A: an app for A's teachers stays closed
    nobody = region.accounts["nobody"]
    role_grant(account=nobody, role=Role.PARENT, school_class=region.classes["A1"])
    app, _ = _register(allowed_roles=["teacher"], schools=[region.schools["A"]])
    assert not app_allowed(actor=Account.objects.get(pk=nobody.pk), app=app)
    assert app_allowed(actor=region.accounts["teacher"], app=app)


@pytest.mark.django_db
def test_apps_for_lists_exactly_the_allowed_apps_by_name(region):
    every, _ = _register(name="B 全员应用")
    teachers, _ = _register(name="A 教师应用", allowed_roles=["teacher"])
    jiangan, _ = _register(name="C 江岸区应用", divisions=[Division.objects.get(pk="420102")])
    off, _ = _register(name="D 停用应用")
    app_set_active(actor=None, app=off, active=False)
    expected = {
        "admin": [every],
        "bureau": [every],
        "teacher": [teachers, every],
        "head": [teachers, every],
        "student": [every],
        "parent": [every],
        "nobody": [teachers, every, jiangan],
    }
    for username, apps in expected.items():
        assert apps_for(actor=region.accounts[username]) == apps, username

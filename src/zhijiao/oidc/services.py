"""Writing the app registry (授权使用): register an app, change it, reset its secret, enable or disable it.

Each app is a django-oauth-toolkit ``Application`` (authorization code, ID tokens signed RS256) plus its
``RegisteredApp``. A confidential client's secret is generated here, returned to the caller once and
stored hashed by DOT; nobody can read it back. Every change is audited with its actor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    AbstractApplication,
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)

from zhijiao.access.permissions import Perm, require
from zhijiao.access.roles import Role
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.actor import actor_account_id
from zhijiao.core.errors import ZhijiaoError
from zhijiao.oidc.errors import RegistryError
from zhijiao.oidc.models import RegisteredApp
from zhijiao.org.models import Division, School

Application = get_application_model()

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
LOGO_MAX_BYTES = 512 * 1024
# Raster formats only: an SVG served from our origin could carry script.
_LOGO_MAGIC: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}


def _app_admin_require(actor) -> None:
    # actor None is the operator on the server (the CLI)
    if actor is not None:
        require(actor, Perm.ADMINISTER_APPS, detail="应用管理仅限平台管理员和系统管理员")


def _uri(value: str, *, label: str, require_https: bool = True) -> str:
    value = value.strip()
    if len(value) > 500:
        raise ZhijiaoError(RegistryError.APP_URI_LONG, field=label, detail=value[:60] + "…")
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.fragment
        or "#" in value
        or any(c.isspace() for c in value)
    ):
        raise ZhijiaoError(RegistryError.APP_URI_INVALID, field=label, detail=value)
    if require_https and parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise ZhijiaoError(RegistryError.APP_URI_HTTPS, field=label, detail=value)
    return value


def _uris(values: Iterable[str], *, label: str) -> list[str]:
    """Checked URIs in their order, blanks and repeats dropped."""
    seen: list[str] = []
    for raw in values:
        for value in raw.split():  # a pasted line may hold several
            uri = _uri(value, label=label)
            if uri not in seen:
                seen.append(uri)
    return seen


def _roles(values: Iterable[str]) -> list[str]:
    wanted = [str(v) for v in values if v]
    unknown = [v for v in wanted if v not in Role.values]
    if unknown:
        raise ZhijiaoError(RegistryError.APP_ROLE_UNKNOWN, field="可用角色", detail="、".join(unknown))
    return [r for r in Role.values if r in wanted]  # the roles' own order


def _name(name: str, *, exclude_pk: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ZhijiaoError(RegistryError.APP_NAME_REQUIRED, field="应用名称")
    if len(name) > 64:
        raise ZhijiaoError(RegistryError.APP_NAME_LONG, field="应用名称")
    taken = Application.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ZhijiaoError(RegistryError.APP_NAME_TAKEN, field="应用名称", detail=name)
    return name


def _description(description: str) -> str:
    description = description.strip()
    if len(description) > 200:
        raise ZhijiaoError(RegistryError.APP_DESCRIPTION_LONG, field="简介")
    return description


def _logo_check(logo: UploadedFile) -> None:
    ext = (logo.name or "").rsplit(".", 1)[-1].lower()
    if (logo.size or 0) > LOGO_MAX_BYTES:
        raise ZhijiaoError(RegistryError.APP_LOGO_SIZE, field="图标")
    logo.seek(0)
    head = logo.read(16)
    logo.seek(0)
    if ext not in _LOGO_MAGIC or not head.startswith(_LOGO_MAGIC[ext]):
        raise ZhijiaoError(RegistryError.APP_LOGO_TYPE, field="图标")
    if ext == "webp" and head[8:12] != b"WEBP":
        raise ZhijiaoError(RegistryError.APP_LOGO_TYPE, field="图标")


def _logo_name(application: Any, logo: UploadedFile) -> str:
    return f"{application.client_id[:12]}.{(logo.name or '').rsplit('.', 1)[-1].lower()}"


def _optional_uri(value: str, *, label: str, require_https: bool = True) -> str:
    return _uri(value, label=label, require_https=require_https) if value.strip() else ""


def _target(app: RegisteredApp) -> Target:
    return Target("oidc_app", str(app.application.client_id), str(app.application.name))


@transaction.atomic
def app_register(
    *,
    actor: Actor | None,
    name: str,
    redirect_uris: Sequence[str],
    public: bool = False,
    trusted: bool = False,
    backchannel_logout_uri: str = "",
    home_url: str = "",
    description: str = "",
    allowed_roles: Iterable[str] = (),
    schools: Iterable[School] = (),
    divisions: Iterable[Division] = (),
    logo: UploadedFile | None = None,
    post_logout_redirect_uris: Sequence[str] = (),
    origin: Origin | None = None,
) -> tuple[RegisteredApp, str | None]:
    """Register an app that signs people in through Zhijiao (OpenID Connect, authorization code).

    Returns the registration and, for a confidential client, its secret in plain text: shown once, stored
    hashed. A public client (a single-page or mobile app, PKCE) has no secret. ``trusted`` skips the consent
    screen. ``actor`` None is the operator on the server; otherwise platform administrators and 系统管理员.
    Redirect and logout addresses must be absolute http(s) URLs without fragments, https except on localhost.
    Audited as ``app.register``.
    """
    _app_admin_require(actor)
    name = _name(name)
    redirects = _uris(redirect_uris, label="回调地址")
    if not redirects:
        raise ZhijiaoError(RegistryError.APP_REDIRECT_REQUIRED, field="回调地址")
    post_logout = _uris(post_logout_redirect_uris, label="注销后跳转地址")
    backchannel = _optional_uri(backchannel_logout_uri, label="后端注销地址")
    home = _optional_uri(home_url, label="应用入口", require_https=False)
    roles = _roles(allowed_roles)
    description = _description(description)
    if logo is not None:
        _logo_check(logo)

    secret = None if public else generate_client_secret()
    application = Application(
        name=name,
        redirect_uris=" ".join(redirects),
        post_logout_redirect_uris=" ".join(post_logout),
        client_type=AbstractApplication.CLIENT_PUBLIC if public else AbstractApplication.CLIENT_CONFIDENTIAL,
        authorization_grant_type=AbstractApplication.GRANT_AUTHORIZATION_CODE,
        algorithm=AbstractApplication.RS256_ALGORITHM,
        skip_authorization=trusted,
        client_secret=secret or "",
        hash_client_secret=True,
    )
    application.save()  # DOT hashes the secret on save
    app = RegisteredApp.objects.create(
        application=application,
        description=description,
        home_url=home,
        backchannel_logout_uri=backchannel,
        allowed_roles=roles,
        created_by_id=actor_account_id(actor),
    )
    app.allowed_schools.set(list(schools))
    app.allowed_divisions.set(list(divisions))
    if logo is not None:
        app.logo.save(_logo_name(application, logo), logo, save=True)
    audit_record(actor=actor, action="app.register", origin=origin or Origin(channel="cli"), target=_target(app))
    return app, secret


@transaction.atomic
def app_update(
    *,
    actor: Actor | None,
    app: RegisteredApp,
    name: str,
    redirect_uris: Sequence[str],
    trusted: bool,
    backchannel_logout_uri: str = "",
    home_url: str = "",
    description: str = "",
    allowed_roles: Iterable[str] = (),
    schools: Iterable[School] = (),
    divisions: Iterable[Division] = (),
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
    post_logout_redirect_uris: Sequence[str] = (),
    origin: Origin | None = None,
) -> RegisteredApp:
    """Change an app's registration (the same checks as :func:`app_register`); the client type and secret stay.

    Audited as ``app.update`` with the names of the fields that changed.
    """
    _app_admin_require(actor)
    application = app.application
    redirects = _uris(redirect_uris, label="回调地址")
    if not redirects:
        raise ZhijiaoError(RegistryError.APP_REDIRECT_REQUIRED, field="回调地址")
    new: dict[str, Any] = {
        "name": _name(name, exclude_pk=application.pk),
        "redirect_uris": " ".join(redirects),
        "post_logout_redirect_uris": " ".join(_uris(post_logout_redirect_uris, label="注销后跳转地址")),
        "skip_authorization": bool(trusted),
    }
    extra: dict[str, Any] = {
        "description": _description(description),
        "home_url": _optional_uri(home_url, label="应用入口", require_https=False),
        "backchannel_logout_uri": _optional_uri(backchannel_logout_uri, label="后端注销地址"),
        "allowed_roles": _roles(allowed_roles),
    }
    if logo is not None:
        _logo_check(logo)
    school_list, division_list = list(schools), list(divisions)

    changed = [f for f, v in new.items() if getattr(application, f) != v]
    changed += [f for f, v in extra.items() if getattr(app, f) != v]
    if {s.pk for s in school_list} != set(app.allowed_schools.values_list("pk", flat=True)):
        changed.append("allowed_schools")
    if {d.pk for d in division_list} != set(app.allowed_divisions.values_list("pk", flat=True)):
        changed.append("allowed_divisions")

    for f, v in new.items():
        setattr(application, f, v)
    application.save(update_fields=[*new, "updated"])
    for f, v in extra.items():
        setattr(app, f, v)
    app.save(update_fields=list(extra))
    app.allowed_schools.set(school_list)
    app.allowed_divisions.set(division_list)
    if logo is not None or (remove_logo and app.logo):
        if app.logo:
            app.logo.delete(save=False)
        if logo is not None:
            app.logo.save(_logo_name(application, logo), logo, save=False)
        app.save(update_fields=["logo"])
        changed.append("logo")
    if changed:  # saving an unchanged form changes nothing worth an audit entry
        origin = origin or Origin(channel="cli")
        audit_record(actor=actor, action="app.update", origin=origin, target=_target(app), fields=changed)
    return app


@transaction.atomic
def app_secret_reset(*, actor: Actor | None, app: RegisteredApp, origin: Origin | None = None) -> str:
    """Give a confidential client a new secret; the old one stops working at once. Returns the new secret
    in plain text, once. Audited as ``app.secret_reset``.
    """
    _app_admin_require(actor)
    application = app.application
    if application.client_type != AbstractApplication.CLIENT_CONFIDENTIAL:
        raise ZhijiaoError(RegistryError.APP_PUBLIC_NO_SECRET)
    secret = generate_client_secret()
    application.client_secret = secret
    application.hash_client_secret = True
    application.save(update_fields=["client_secret", "hash_client_secret", "updated"])
    audit_record(actor=actor, action="app.secret_reset", origin=origin or Origin(channel="cli"), target=_target(app))
    return secret


@transaction.atomic
def app_set_active(
    *, actor: Actor | None, app: RegisteredApp, active: bool, origin: Origin | None = None
) -> RegisteredApp:
    """Enable or disable an app. A disabled app signs nobody in and leaves the portal; the tokens it holds
    (access, refresh, unused codes) are revoked at once. Audited as ``app.enable`` / ``app.disable``.
    """
    _app_admin_require(actor)
    if app.is_active == active:
        return app
    app.is_active = active
    app.save(update_fields=["is_active"])
    if not active:
        application = app.application
        get_grant_model().objects.filter(application=application).delete()
        get_refresh_token_model().objects.filter(application=application).delete()
        get_access_token_model().objects.filter(application=application).delete()
    audit_record(
        actor=actor,
        action="app.enable" if active else "app.disable",
        origin=origin or Origin(channel="cli"),
        target=_target(app),
    )
    return app

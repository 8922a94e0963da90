"""The app registry (授权使用): what the bureau knows about each app that signs people in through Zhijiao.

The OAuth client itself is django-oauth-toolkit's ``Application`` (client id, hashed secret, redirect
URIs, confidential or public, ``skip_authorization`` = trusted, so no consent screen); ``RegisteredApp``
holds the rest, one to one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from oauth2_provider.settings import APPLICATION_MODEL, GRANT_MODEL


class RegisteredApp(models.Model):
    application = models.OneToOneField(
        APPLICATION_MODEL, models.CASCADE, related_name="registration", verbose_name="客户端"
    )
    description = models.CharField("简介", max_length=200, blank=True)
    logo = models.FileField("图标", upload_to="apps/logos/", blank=True)
    # Where the portal sends a user to enter the app (the app starts its own sign-in from there).
    home_url = models.URLField("应用入口", max_length=500, blank=True)
    # OpenID Connect Back-Channel Logout 1.0: where a logout token is POSTed when the user signs out.
    backchannel_logout_uri = models.URLField("后端注销地址", max_length=500, blank=True)
    # Who may use the app: roles (empty = every role) and org nodes (empty = the whole platform).
    allowed_roles = models.JSONField("可用角色", default=list, blank=True)
    allowed_divisions = models.ManyToManyField("org.Division", blank=True, related_name="+", verbose_name="可用区域")
    allowed_schools = models.ManyToManyField("org.School", blank=True, related_name="+", verbose_name="可用学校")
    is_active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "接入应用"
        verbose_name_plural = "接入应用"

    def __str__(self) -> str:
        return str(self.application.name)


class Subject(models.Model):
    """The ``sub`` every app sees for one account: a random UUID, stable and opaque (never a name or ID number)."""

    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="oidc_subject", verbose_name="账号"
    )
    sub = models.UUIDField("标识", unique=True, default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = "统一身份标识"
        verbose_name_plural = "统一身份标识"

    def __str__(self) -> str:
        return str(self.sub)


class Consent(models.Model):
    """What a person agreed to share with an app; the consent screen is not shown again for these scopes."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="账号")
    application = models.ForeignKey(APPLICATION_MODEL, models.CASCADE, related_name="+", verbose_name="应用")
    scopes = models.JSONField("授权范围", default=list)
    granted_at = models.DateTimeField("授权时间", auto_now=True)

    class Meta:
        verbose_name = "授权同意"
        verbose_name_plural = "授权同意"
        constraints = [models.UniqueConstraint("account", "application", name="oidc_consent_unique")]

    def __str__(self) -> str:
        return f"{self.account} → {self.application}"


class AuthorizationContext(models.Model):
    """How the person behind an authorization code signed in; read when the code becomes tokens.

    The token endpoint sees no browser session, so the session's ``sid``, sign-in time and methods travel
    with the code. Deleted with the code.
    """

    grant = models.OneToOneField(GRANT_MODEL, models.CASCADE, related_name="+")
    sid = models.CharField(max_length=64)
    session_key = models.CharField(max_length=64, blank=True)
    auth_time = models.DateTimeField()
    amr = models.JSONField(default=list)

    def __str__(self) -> str:
        return self.sid


class SessionLink(models.Model):
    """One app's tokens (one refresh-token family) obtained within one sign-in session.

    When the session ends (logout, RP-initiated logout, idle timeout) the family is revoked and the app, if it
    registered a back-channel logout URI, is told with a logout token naming ``sub`` and ``sid``.
    """

    sid = models.CharField("会话标识", max_length=64, db_index=True)
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    application = models.ForeignKey(APPLICATION_MODEL, models.CASCADE, related_name="+", verbose_name="应用")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="账号")
    token_family = models.UUIDField(unique=True)
    # the ``iss`` of the ID tokens the app got; its logout token carries the same
    issuer = models.CharField(max_length=200)
    auth_time = models.DateTimeField("登录时间")
    amr = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "单点登录会话"
        verbose_name_plural = "单点登录会话"

    def __str__(self) -> str:
        return f"{self.sid} · {self.application}"

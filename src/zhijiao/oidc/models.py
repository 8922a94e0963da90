"""The app registry (授权使用): what the bureau knows about each app that signs people in through Zhijiao.

The OAuth client itself is django-oauth-toolkit's ``Application`` (client id, hashed secret, redirect
URIs, confidential or public, ``skip_authorization`` = trusted, so no consent screen); ``RegisteredApp``
holds the rest, one to one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from oauth2_provider.settings import APPLICATION_MODEL


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

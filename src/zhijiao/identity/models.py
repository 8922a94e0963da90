"""Accounts, password history and API tokens. Roles and role grants live in the access layer
(``zhijiao.access``), and are read and written only through it.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models


class Account(AbstractUser):
    person = models.OneToOneField(
        "people.Person", models.SET_NULL, null=True, blank=True, related_name="account", verbose_name="人员"
    )
    display_name = models.CharField("显示名", max_length=64, blank=True)
    # Set when an administrator issues or resets the password; the account must choose its own before anything else.
    must_change_password = models.BooleanField("须修改密码", default=False)
    # When the account last chose its password: administrators' passwords expire (ZHIJIAO_ADMIN_PASSWORD_DAYS).
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # An account provisioned from the registry is activated with a one-time code (only its digest is kept).
    activation_digest = models.CharField("激活码摘要", max_length=64, blank=True)
    activation_expires_at = models.DateTimeField("激活码有效期", null=True, blank=True)
    # The person's mobile number as a login name, kept in step with the registry by account provisioning
    # (zhijiao.identity.provisioning); indexed here because the registry's phone column is not.
    mobile = models.CharField("登录手机号", max_length=11, blank=True, db_index=True)
    # Set when provisioning closed the account because its person left the registry (pupil left, staff departed);
    # only such accounts are reopened when the person comes back, never one an administrator disabled.
    left_registry_at = models.DateTimeField("离校/离岗停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self) -> str:
        return self.display_name or self.username


class PasswordHistory(models.Model):
    """A password hash an account has used, so recent ones cannot be chosen again (GB/T 22239)."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="password_history")
    hash = models.CharField("密码摘要", max_length=128)
    at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        indexes = [models.Index(fields=["account", "-at"], name="password_history_recent")]

    def __str__(self) -> str:
        return f"{self.account} · {self.at:%Y-%m-%d %H:%M}"


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a service client, acting as its account. Only the SHA-256 digest is stored."""

    account = models.ForeignKey(Account, models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=64)
    prefix = models.CharField("前缀", max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)
    # What the client may do beyond reading its account's scope: see identity.services.API_SCOPES.
    scopes = models.JSONField("权限范围", default=list, blank=True)

    class Meta:
        verbose_name = "API令牌"
        verbose_name_plural = "API令牌"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

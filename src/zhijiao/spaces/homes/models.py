"""What the space homes keep beside the registry: a school's page (intro, whether it shows a public face), the days
an account used its space (the 活跃空间 indicator), and a person's opt-outs of reminder channels."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SchoolPage(models.Model):
    """A school's space: an introduction its administrators write, and whether it shows a public face."""

    school = models.OneToOneField("org.School", models.CASCADE, related_name="space_page")
    intro = models.TextField("学校简介", max_length=3000, blank=True, default="")
    motto = models.CharField("校训", max_length=60, blank=True, default="")
    is_public = models.BooleanField("公开学校主页", default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "学校空间"
        verbose_name_plural = "学校空间"

    def __str__(self) -> str:
        return f"{self.school_id}"


class SpaceVisit(models.Model):
    """One account used its space on one day (Beijing date): at most one row per account and day."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    day = models.DateField("日期")

    class Meta:
        verbose_name = "空间使用"
        verbose_name_plural = "空间使用"
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="spaces_visit_unique")]
        indexes = [models.Index(fields=["day"], name="spaces_visit_day")]

    def __str__(self) -> str:
        return f"{self.account_id}@{self.day}"


class ChannelOptOut(models.Model):
    """A person does not want reminders by ``channel`` (email, sms, wechat); the in-app notice always stays."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    channel = models.CharField("渠道", max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "退订提醒"
        verbose_name_plural = "退订提醒"
        constraints = [models.UniqueConstraint(fields=["account", "channel"], name="spaces_optout_unique")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.channel}"

"""The learning record store (伴随式数据采集): xAPI statements, their attachments, documents and the LRS credentials.

A ``Statement`` keeps the full JSON exactly as stored (``data``, with the LRS's ``stored``, ``authority``,
``version`` and ``timestamp`` filled in): statements are immutable, so the JSON is the record and the other columns
are indexes derived from it once, at write time (actor IFI, verb, object activity, registration, voided). The
agents and activities a statement mentions anywhere (context, sub-statement, authority …) are rows of
``StatementLink``, so ``related_agents`` / ``related_activities`` queries are one indexed join. Attachments are
stored once per SHA-256 (``Attachment``). ``Document`` holds the State, Activity Profile and Agent Profile
resources with their ETag. ``Credential`` is an app's HTTP Basic key and hashed secret, issued for an app of the
OIDC app registry (``oidc.RegisteredApp``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhijiao.oidc.models import RegisteredApp


class Credential(models.Model):
    app = models.ForeignKey(RegisteredApp, models.CASCADE, related_name="+", verbose_name="应用")
    key = models.CharField("凭据标识", max_length=64, unique=True)
    secret_hash = models.CharField("密钥（哈希）", max_length=256)
    # "xapi:write", "xapi:read" (its own statements), "xapi:read:all" (every statement)
    scopes = models.JSONField("权限", default=list)
    # the xAPI version named in answers to this app's requests that name none (and are refused with 400)
    default_version = models.CharField("默认版本", max_length=8, default="2.0.0")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    # set (not stored) when the caller is an app acting for a person with an OIDC access token: that person's sub
    on_behalf_of: str = ""
    # set (not stored) for the platform's own writer (zhijiao.xapi.platform): not a third-party app
    platform: bool = False

    class Meta:
        verbose_name = "学习记录库凭据"
        verbose_name_plural = "学习记录库凭据"

    def __str__(self) -> str:
        return self.key


class Statement(models.Model):
    # the auto primary key orders statements stored in the same instant (and is the paging cursor)
    statement_id = models.UUIDField("语句标识", unique=True)
    data = models.JSONField("语句")
    app = models.ForeignKey(RegisteredApp, models.CASCADE, related_name="+", verbose_name="写入应用")
    stored = models.DateTimeField("存储时间", db_index=True)
    actor_ifi = models.CharField(max_length=600, db_index=True)
    verb_id = models.CharField(max_length=600, db_index=True)
    activity_id = models.CharField(max_length=2000, blank=True)  # indexed with ``stored`` (Meta)
    registration = models.UUIDField(null=True, blank=True, db_index=True)
    # the id of the statement this one voids (a voiding statement) or refers to (StatementRef object)
    ref_id = models.UUIDField(null=True, blank=True, db_index=True)
    is_voiding = models.BooleanField(default=False)
    voided = models.BooleanField("已作废", default=False, db_index=True)
    # the platform account the actor maps to (account.homePage = the issuer, account.name = its OIDC sub), set at
    # write time; None: an actor the platform does not know (kept, shown as 未对应账号)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="学习者"
    )

    class Meta:
        verbose_name = "学习记录"
        verbose_name_plural = "学习记录"
        indexes = [
            models.Index(fields=["app", "stored"], name="xapi_stmt_app_stored"),
            models.Index(fields=["learner", "stored"], name="xapi_stmt_learner_stored"),
            # an activity's statements, newest first, read in index order (10 million statements: 10,000 per
            # exercise sorted in memory took 550 ms at p95 with the activity alone indexed)
            models.Index(fields=["activity_id", "stored"], name="xapi_stmt_activity_stored"),
        ]

    def __str__(self) -> str:
        return str(self.statement_id)


class StatementLink(models.Model):
    """An agent (IFI) or activity (id) a statement mentions; ``direct`` for the plain filter, else related only."""

    class Kind(models.TextChoices):
        AGENT = "agent", "人员"
        ACTIVITY = "activity", "活动"

    statement = models.ForeignKey(Statement, models.CASCADE, related_name="links")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=2000)
    direct = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"], name="xapi_link_kind_value")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class StatementMember(models.Model):
    """A platform account that is a member of a Group the statement names (its actor, its object, or a team or
    context group): the statement is about that person too, so it shows where their statements are read. Derived at
    write time, like ``Statement.learner`` (same mapping: ``account.homePage`` = the issuer, ``name`` = the sub)."""

    class Role(models.TextChoices):
        ACTOR = "actor", "执行者"
        OBJECT = "object", "对象"
        CONTEXT = "context", "情境"

    statement = models.ForeignKey(Statement, models.CASCADE, related_name="members")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="学习者")
    role = models.CharField(max_length=8, choices=Role.choices)

    class Meta:
        verbose_name = "学习记录小组成员"
        verbose_name_plural = "学习记录小组成员"
        constraints = [models.UniqueConstraint(fields=["statement", "learner"], name="xapi_member_unique")]
        indexes = [models.Index(fields=["learner", "statement"], name="xapi_member_learner")]

    def __str__(self) -> str:
        return f"{self.statement_id}:{self.learner_id}"


class Attachment(models.Model):
    sha2 = models.CharField(max_length=128, primary_key=True)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.sha2


class Activity(models.Model):
    """The canonical definition of an activity, as the Activities resource returns it (last definition wins)."""

    activity_id = models.CharField(max_length=2000, unique=True)
    data = models.JSONField()

    class Meta:
        verbose_name = "学习活动"
        verbose_name_plural = "学习活动"

    def __str__(self) -> str:
        return self.activity_id


class Document(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", "状态"
        ACTIVITY_PROFILE = "activity_profile", "活动档案"
        AGENT_PROFILE = "agent_profile", "人员档案"

    app = models.ForeignKey(RegisteredApp, models.CASCADE, related_name="+", verbose_name="应用")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    activity_id = models.CharField(max_length=2000, blank=True)
    agent_ifi = models.CharField(max_length=600, blank=True)
    registration = models.CharField(max_length=36, blank=True)
    doc_id = models.CharField(max_length=2000)
    content_type = models.CharField(max_length=255)
    content = models.BinaryField()
    etag = models.CharField(max_length=64)
    updated = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "文档"
        verbose_name_plural = "文档"
        indexes = [models.Index(fields=["kind", "activity_id", "agent_ifi"], name="xapi_doc_lookup")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.doc_id}"


class Erasure(models.Model):
    """The tombstone of a lawful deletion of a learner's statements: who asked, why, how many, which ids."""

    learner_id_kept = models.IntegerField("学习者账号编号", null=True, blank=True)
    learner_label = models.CharField("学习者（已脱敏）", max_length=64)
    reason = models.CharField("依据", max_length=500)
    count = models.IntegerField("删除条数")
    statement_ids = models.JSONField("语句标识", default=list)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("删除时间", auto_now_add=True)

    class Meta:
        verbose_name = "学习记录删除记录"
        verbose_name_plural = "学习记录删除记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.learner_label} {self.count}"


class Retention(models.Model):
    """How long an app's statements are kept: ``months`` after they were stored (0: kept without limit)."""

    app = models.OneToOneField(RegisteredApp, models.CASCADE, related_name="+", verbose_name="应用")
    months = models.PositiveIntegerField("保留月数", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="更新人"
    )

    class Meta:
        verbose_name = "学习记录保留期限"
        verbose_name_plural = "学习记录保留期限"

    def __str__(self) -> str:
        return f"{self.app_id} {self.months}"

"""Home–school notices (家校沟通) and their read receipts.

A :class:`Notice` is addressed to a node of the registry (a class, a grade of a school, a school, a division) and
to one kind of recipient there (guardians, students or staff). Publishing resolves the audience once, from the
registry as it stands, and writes one :class:`NoticeReceipt` per recipient account: the receipt *is* the in-app
delivery, and its ``read_at`` / ``confirmed_at`` answer the read-rate questions with one indexed count each. The
audience is frozen at publishing so the read rate is measured against the people who were actually sent it.

Reminders to the unread go through channels (``channels.py``): in-app marks the receipt, e-mail / SMS / work-chat
queue messages in the platform's outbox (``core.outbox``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AudienceKind(models.TextChoices):
    CLASS = "class", "班级"
    GRADE = "grade", "年级"
    SCHOOL = "school", "学校"
    DIVISION = "division", "区域"


class RecipientKind(models.TextChoices):
    GUARDIANS = "guardians", "家长"
    STUDENTS = "students", "学生"
    STAFF = "staff", "教职工"


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


class Notice(models.Model):
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", max_length=5000)  # plain text; rendered escaped with line breaks
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="notices_sent")
    audience_kind = models.CharField("发送范围", max_length=8, choices=AudienceKind.choices)
    # the node, one of these set by audience_kind (grade: the Grade, whose school is the grade's school)
    school_class = models.ForeignKey("org.SchoolClass", models.PROTECT, null=True, blank=True, related_name="+")
    grade = models.ForeignKey("org.Grade", models.PROTECT, null=True, blank=True, related_name="+")
    school = models.ForeignKey("org.School", models.PROTECT, null=True, blank=True, related_name="+")
    division = models.ForeignKey("org.Division", models.PROTECT, null=True, blank=True, related_name="+")
    recipients = models.CharField("接收对象", max_length=9, choices=RecipientKind.choices)
    needs_confirm = models.BooleanField("需要回执", default=False)
    # shown on the school's (or region's) public page: only for notices to a school or a division
    is_public = models.BooleanField("在公开主页展示", default=False)
    deadline = models.DateTimeField("回执截止", null=True, blank=True)
    status = models.CharField("状态", max_length=9, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    # fan-out progress: recipients resolved at publishing, receipts written so far
    recipient_count = models.PositiveIntegerField("接收人数", default=0)
    delivered_count = models.PositiveIntegerField("已送达", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["sender", "-created_at"], name="spaces_notice_sender")]
        constraints = [
            models.CheckConstraint(
                name="spaces_notice_one_node",
                condition=(
                    models.Q(audience_kind="class", school_class__isnull=False)
                    | models.Q(audience_kind="grade", grade__isnull=False)
                    | models.Q(audience_kind="school", school__isnull=False)
                    | models.Q(audience_kind="division", division__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title


class NoticeReceipt(models.Model):
    notice = models.ForeignKey(Notice, models.CASCADE, related_name="receipts")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notice_receipts")
    delivered_at = models.DateTimeField("送达时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("回执时间", null=True, blank=True)
    reply = models.CharField("回执留言", max_length=500, blank=True)
    reminded_at = models.DateTimeField("最近提醒", null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField("提醒次数", default=0)

    class Meta:
        verbose_name = "通知回执"
        verbose_name_plural = "通知回执"
        constraints = [models.UniqueConstraint(fields=["notice", "account"], name="spaces_receipt_unique")]
        indexes = [
            # read rate of a notice: count(*) where notice = ? and read_at is null
            models.Index(fields=["notice", "read_at"], name="spaces_receipt_read"),
            models.Index(fields=["notice", "confirmed_at"], name="spaces_receipt_confirm"),
            # a person's notices
            models.Index(fields=["account", "-delivered_at"], name="spaces_receipt_account"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}→{self.account_id}"


# 网络教研 and 继续教育学时 live in their own package; imported here so Django registers them with this app.
from zhijiao.spaces.contact.models import Message, Thread  # noqa: E402, F401
from zhijiao.spaces.homes.models import ChannelOptOut, SchoolPage, SpaceVisit  # noqa: E402, F401
from zhijiao.spaces.leave.models import LeaveRequest  # noqa: E402, F401
from zhijiao.spaces.research.models import (  # noqa: E402, F401
    Activity,
    Certificate,
    Comment,
    GroupMember,
    HoursPolicy,
    HoursRule,
    Participation,
    PlanVersion,
    ResearchGroup,
    RubricScore,
)

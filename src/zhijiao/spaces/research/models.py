"""Research groups (教研组, 研修共同体, 名师工作室), their activities and the hours participation counts.

One :class:`Activity` model carries the three kinds: 集体备课 (its :class:`PlanVersion` rows, a final one marked by
the leader, the resource it was published as), 听评课 (a video kept in the resource centre's file store, or a live
observation; a rubric the group chose; each observer's :class:`RubricScore`; the leader's summary) and 主题研讨 (the
activity is the thread, its comments the replies). :class:`Participation` is what 继续教育学时 count.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models


class GroupKind(models.TextChoices):
    SCHOOL = "school", "教研组"
    COMMUNITY = "community", "研修共同体"
    STUDIO = "studio", "名师工作室"


class ResearchGroup(models.Model):
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=10, choices=GroupKind.choices)
    subject = models.CharField("学科", max_length=4, blank=True, default="")  # code table "subject"
    # a 教研组 belongs to its school; 研修共同体 and 名师工作室 to a division (district or city)
    school = models.ForeignKey("org.School", models.PROTECT, null=True, blank=True, related_name="+")
    division = models.ForeignKey("org.Division", models.PROTECT, related_name="+")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="research_groups_led")
    description = models.TextField("简介", max_length=2000, blank=True, default="")
    # private: only members (and the administrators over it) see it; otherwise teachers of its area may read it
    is_private = models.BooleanField("仅成员可见", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "教研组织"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="school", school__isnull=False) | ~models.Q(kind="school"),
                name="research_school_group_has_school",
            )
        ]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(ResearchGroup, models.CASCADE, related_name="members")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="research_memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint("group", "account", name="research_member_unique")]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.account_id}"


class ActivityKind(models.TextChoices):
    LESSON_PLAN = "plan", "集体备课"
    OBSERVATION = "observe", "听评课"
    SEMINAR = "seminar", "主题研讨"


class ActivityStatus(models.TextChoices):
    OPEN = "open", "进行中"
    FINISHED = "finished", "已结束"


class Activity(models.Model):
    group = models.ForeignKey(ResearchGroup, models.CASCADE, related_name="activities")
    kind = models.CharField("类型", max_length=8, choices=ActivityKind.choices)
    title = models.CharField("主题", max_length=80)
    description = models.TextField("说明", max_length=5000, blank=True, default="")
    starts_at = models.DateTimeField("时间")
    place = models.CharField("地点", max_length=60, blank=True, default="")  # a room, or 线上
    status = models.CharField("状态", max_length=8, choices=ActivityStatus.choices, default=ActivityStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # 集体备课
    final_version = models.ForeignKey("PlanVersion", models.SET_NULL, null=True, blank=True, related_name="+")
    resource = models.ForeignKey("resources.Resource", models.SET_NULL, null=True, blank=True, related_name="+")
    # 听评课: a video in the resource centre's file store (served ranged, never as active content), or live
    video_file = models.ForeignKey("resources.ResourceFile", models.PROTECT, null=True, blank=True, related_name="+")
    video_name = models.CharField(max_length=255, blank=True, default="")
    live = models.BooleanField("现场听课", default=False)
    rubric = models.JSONField("评分量表", default=list, blank=True)  # [{"name": "教学目标", "points": 20}, …]
    summary = models.TextField("总结", max_length=5000, blank=True, default="")
    summary_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "教研活动"
        indexes = [models.Index(fields=["group", "-starts_at"], name="research_activity_group")]

    def __str__(self) -> str:
        return self.title


class PlanVersion(models.Model):
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField("教案", max_length=50000)
    note = models.CharField("修改说明", max_length=100, blank=True, default="")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint("activity", "number", name="research_version_unique")]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"第 {self.number} 版"


class Comment(models.Model):
    """A comment on a plan (``version``), on a lesson (``at_second``: pinned to a moment of its video) or a reply
    in a 主题研讨 thread."""

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    body = models.TextField(max_length=2000)
    version = models.ForeignKey(PlanVersion, models.SET_NULL, null=True, blank=True, related_name="comments")
    at_second = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["activity", "created_at"], name="research_comment_activity")]

    def __str__(self) -> str:
        return self.body[:30]


class RubricScore(models.Model):
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="scores")
    observer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    points = models.JSONField(default=list)  # one number per rubric criterion, in the rubric's order
    total = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal(0))
    remark = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint("activity", "observer", name="research_score_unique")]

    def __str__(self) -> str:
        return f"{self.observer_id}: {self.total}"


class Participation(models.Model):
    """One account took part in one activity (wrote a version, commented, scored, replied, or signed in): what
    继续教育学时 count, once per activity."""

    activity = models.ForeignKey(Activity, models.CASCADE, related_name="participations")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="research_participations")
    year = models.PositiveSmallIntegerField()  # the activity's year, kept for the per-year sums
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint("activity", "account", name="research_participation_unique")]
        indexes = [models.Index(fields=["account", "year"], name="research_participation_year")]

    def __str__(self) -> str:
        return f"{self.account_id}@{self.activity_id}"


class HoursPolicy(models.Model):
    """A bureau's 继续教育学时 rules for its division: the yearly requirement and the hours per activity kind."""

    division = models.OneToOneField("org.Division", models.CASCADE, related_name="+")
    required_hours = models.DecimalField("年度要求学时", max_digits=5, decimal_places=1, default=Decimal(30))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.division_id


class HoursRule(models.Model):
    policy = models.ForeignKey(HoursPolicy, models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=8, choices=ActivityKind.choices)
    hours = models.DecimalField("每次学时", max_digits=4, decimal_places=1)
    yearly_cap = models.DecimalField("每年上限", max_digits=5, decimal_places=1)

    class Meta:
        constraints = [models.UniqueConstraint("policy", "kind", name="research_rule_unique")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.hours}"


class Certificate(models.Model):
    """A 继续教育学时 certificate: the figures as issued, checkable by anyone with its code."""

    code = models.CharField(max_length=24, unique=True)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    name = models.CharField(max_length=50)  # as issued
    year = models.PositiveSmallIntegerField()
    hours = models.DecimalField(max_digits=6, decimal_places=1)
    issuer = models.CharField(max_length=60)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return self.code

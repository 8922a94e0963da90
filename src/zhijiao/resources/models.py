"""Resources, tagged with the textbook taxonomy of ``zhijiao.curriculum``.

A :class:`Resource` is owned by a school (or, for a bureau's own resources, only by a division) and carries
its owner's district code in ``owner_division`` so visibility filters need no join (see ``selectors``).
Files are checksum-addressed :class:`ResourceFile` blobs shared by every version that has the same bytes;
:class:`ResourceVersion` is the file history of one resource and :class:`ReviewStep` its review trail.
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookEdition, TextbookVolume


class ResourceType(models.TextChoices):
    """CELTS-41 教育资源类型, the media materials split by medium, plus the kinds schools add."""

    TEXT = "text", "文本素材"
    IMAGE = "image", "图片素材"
    AUDIO = "audio", "音频素材"
    VIDEO = "video", "视频素材"
    ANIMATION = "animation", "动画素材"
    ITEM = "item", "试题"
    PAPER = "paper", "试卷"
    COURSEWARE = "courseware", "课件"
    CASE = "case", "案例"
    LITERATURE = "literature", "文献资料"
    ONLINE_COURSE = "online_course", "网络课程"
    MICRO_LESSON = "micro_lesson", "微课"
    LESSON_PLAN = "lesson_plan", "教案"
    LEARNING_PLAN = "learning_plan", "学案"


class SharingScope(models.TextChoices):
    SCHOOL = "school", "本校"
    DISTRICT = "district", "本区"
    CITY = "city", "本市"
    PUBLIC = "public", "公开"


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待一审"
    FIRST_APPROVED = "first_approved", "待二审"
    PUBLISHED = "published", "已发布"
    RETURNED = "returned", "已退回"


class Licence(models.TextChoices):
    REGION = "region", "区域内共享使用"
    CC_BY = "cc-by", "CC BY 4.0（署名）"
    CC_BY_NC = "cc-by-nc", "CC BY-NC 4.0（署名-非商业性使用）"
    CC_BY_NC_SA = "cc-by-nc-sa", "CC BY-NC-SA 4.0（署名-非商业性使用-相同方式共享）"
    ALL_RIGHTS = "all-rights", "保留所有权利"


class ResourceLevel(models.TextChoices):
    """等级评定, set by the 二审 reviewer (plan 001: 类型与等级评定); feeds the value score."""

    UNRATED = "", "未评定"
    PASS = "pass", "合格"
    GOOD = "good", "优秀"
    EXCELLENT = "excellent", "精品"


class PreviewState(models.TextChoices):
    PENDING = "pending", "生成中"
    READY = "ready", "已生成"
    NONE = "none", "无预览"  # a kind we do not preview (zip, docx …) or the tool is not installed
    FAILED = "failed", "生成失败"


class UsageKind(models.TextChoices):
    VIEW = "view", "浏览"
    DOWNLOAD = "download", "下载"
    PLAY = "play", "播放"


class ResourceFile(models.Model):
    """Bytes stored once under ``media/resources/<sha[:2]>/<sha>``, whoever uploads them."""

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    size = models.BigIntegerField("大小（字节）")
    mime = models.CharField("类型", max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    preview_state = models.CharField("预览", max_length=8, choices=PreviewState.choices, default=PreviewState.PENDING)
    preview_kind = models.CharField("预览类型", max_length=16, blank=True)  # image / pdf / video / audio / text
    preview_note = models.CharField("预览说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "资源文件"
        verbose_name_plural = "资源文件"
        constraints = [models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="file_sha256_hex")]

    def __str__(self) -> str:
        return self.sha256[:12]

    @property
    def relative_path(self) -> str:
        return f"resources/{self.sha256[:2]}/{self.sha256}"


class Resource(models.Model):
    title = models.CharField("标题", max_length=200)
    description = models.TextField("简介", blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True, help_text="以逗号或空格分隔")
    type = models.CharField("类型", max_length=16, choices=ResourceType.choices)
    stage = models.CharField("学段", max_length=2)
    grade = models.CharField("年级", max_length=4, blank=True)
    subject = models.CharField("学科", max_length=4)
    edition = models.ForeignKey(TextbookEdition, models.PROTECT, null=True, blank=True, related_name="+")
    volume = models.ForeignKey(TextbookVolume, models.PROTECT, null=True, blank=True, related_name="+")
    chapter = models.ForeignKey(Chapter, models.PROTECT, null=True, blank=True, related_name="resources")
    knowledge_points = models.ManyToManyField(KnowledgePoint, blank=True, related_name="resources")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="resources")
    owner_school = models.ForeignKey("org.School", models.PROTECT, null=True, blank=True, related_name="+")
    owner_division = models.ForeignKey("org.Division", models.PROTECT, related_name="+")
    licence = models.CharField("授权方式", max_length=16, choices=Licence.choices, default=Licence.REGION)
    sharing = models.CharField("共享范围", max_length=16, choices=SharingScope.choices, default=SharingScope.SCHOOL)
    status = models.CharField("状态", max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT)
    current_version = models.ForeignKey("ResourceVersion", models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    level = models.CharField("等级", max_length=16, choices=ResourceLevel.choices, default="", blank=True)
    external_id = models.CharField("外部编号", max_length=64, blank=True)  # a package's 编号, for re-imports
    # Use and value, kept up to date by ``resources.usage`` and the value-score job.
    rating_avg = models.FloatField("平均评分", default=0.0)
    rating_count = models.PositiveIntegerField("评分人数", default=0)
    favourite_count = models.PositiveIntegerField("收藏数", default=0)
    view_count = models.PositiveIntegerField("浏览数", default=0)
    download_count = models.PositiveIntegerField("下载数", default=0)
    play_count = models.PositiveIntegerField("播放数", default=0)
    effective_use_rate = models.FloatField("有效使用率", null=True, blank=True)
    value_score = models.FloatField("价值分", default=0.0)
    value_computed_at = models.DateTimeField("价值分计算时间", null=True, blank=True)

    class Meta:
        verbose_name = "资源"
        verbose_name_plural = "资源"
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "sharing", "owner_division"], name="resource_visibility"),
            models.Index(fields=["stage", "subject", "grade"], name="resource_facets"),
            models.Index(fields=["owner_division", "external_id"], name="resource_external_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="resource_published_at"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def keyword_list(self) -> list[str]:
        """Keywords as typed (commas, 、 or spaces between them), each once."""
        words = re.split(r"[,，、;；\s]+", self.keywords)
        return list(dict.fromkeys(w for w in words if w))


class ResourceVersion(models.Model):
    """One file of a resource's history; the resource points at its current one."""

    resource = models.ForeignKey(Resource, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    file = models.ForeignKey(ResourceFile, models.PROTECT, related_name="versions")
    original_name = models.CharField("原文件名", max_length=255)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "资源版本"
        verbose_name_plural = "资源版本"
        ordering = ["resource_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"


class ReviewStage(models.TextChoices):
    SUBMIT = "submit", "提交审核"
    FIRST = "first", "一审"
    SECOND = "second", "二审"


class ReviewDecision(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "通过"
    RETURNED = "returned", "退回"


class ReviewStep(models.Model):
    resource = models.ForeignKey(Resource, models.CASCADE, related_name="review_steps")
    stage = models.CharField("环节", max_length=8, choices=ReviewStage.choices)
    decision = models.CharField("结论", max_length=16, choices=ReviewDecision.choices)
    comment = models.TextField("意见", blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["resource_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.stage} {self.decision}"


class UploadSession(models.Model):
    """A resumable upload in progress: bytes land in ``media/resources/uploads/<id>.part`` at ``received``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    name = models.CharField("文件名", max_length=255)
    size = models.BigIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=128, blank=True)
    fingerprint = models.CharField("客户端标识", max_length=200, blank=True)  # name|size|mtime, to resume
    received = models.BigIntegerField("已接收（字节）", default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    file = models.ForeignKey(ResourceFile, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "分片上传"
        verbose_name_plural = "分片上传"
        indexes = [models.Index(fields=["account", "fingerprint"], name="upload_resume")]
        constraints = [
            models.CheckConstraint(
                condition=Q(received__gte=0) & Q(received__lte=models.F("size")), name="upload_received_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.received}/{self.size}"


class Rating(models.Model):
    """One person's 1–5 score for a resource (changeable)."""

    resource = models.ForeignKey(Resource, models.CASCADE, related_name="ratings")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField("评分")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [
            models.UniqueConstraint(fields=["resource", "account"], name="rating_once"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="rating_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} ★{self.score}"


class Comment(models.Model):
    resource = models.ForeignKey(Resource, models.CASCADE, related_name="comments")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    body = models.TextField("评论")
    hidden = models.BooleanField("已隐藏", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评论"
        verbose_name_plural = "评论"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.body[:20]}"


class Favourite(models.Model):
    resource = models.ForeignKey(Resource, models.CASCADE, related_name="favourites")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "收藏"
        verbose_name_plural = "收藏"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["resource", "account"], name="favourite_once")]

    def __str__(self) -> str:
        return f"{self.resource_id} ♥ {self.account_id}"


class UsageEvent(models.Model):
    """A view, download or play. A play is one row per ``play_id`` holding the furthest point reached."""

    resource = models.ForeignKey(Resource, models.CASCADE, related_name="usage")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField("类型", max_length=8, choices=UsageKind.choices)
    play_id = models.CharField("播放标识", max_length=64, blank=True)
    progress = models.FloatField("播放进度", null=True, blank=True)  # 0–1, furthest position / duration
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "使用记录"
        verbose_name_plural = "使用记录"
        indexes = [models.Index(fields=["resource", "kind"], name="usage_resource_kind")]
        constraints = [
            models.UniqueConstraint(fields=["resource", "play_id"], condition=~Q(play_id=""), name="usage_play_once"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.kind}"


class SearchTermKind(models.TextChoices):
    SYNONYM = "synonym", "同义词"
    VARIANT = "variant", "异体字"
    POPULAR = "popular", "热门检索词"


class SearchTerm(models.Model):
    """One entry of the search dictionary (decision 0036): a group of words that find each other (同义词,
    异体字; the first is the main form) or a popular query offered as a suggestion. Seeded from
    ``resources/search/data/search_terms.txt``; region administrators edit it on the 检索词典 page."""

    kind = models.CharField("类别", max_length=16, choices=SearchTermKind.choices, default=SearchTermKind.SYNONYM)
    forms = models.CharField(
        "写法", max_length=500, help_text="用空格分隔，第一项为主词；写法含空格或运算符时用“|”分隔"
    )
    enabled = models.BooleanField("启用", default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        ordering = ("kind", "pk")
        verbose_name = "检索词条"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.forms}"

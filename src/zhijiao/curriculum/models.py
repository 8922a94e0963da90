"""The textbook taxonomy: editions, books (册), chapter trees and knowledge points.

Resources, and the item bank, diagnosis and growth records after them, tag what they hold with a chapter and
knowledge points of this taxonomy. The four models moved here from ``resources`` (decision
``0030-curriculum-app``); their tables kept their ``resources_*`` names, so ``db_table`` says so.
"""

from __future__ import annotations

from django.db import models


class TextbookEdition(models.Model):
    """A textbook series for one subject and 学段, e.g. 人教版 初中数学."""

    code = models.CharField("代码", max_length=32)
    name = models.CharField("版本", max_length=64)
    publisher = models.CharField("出版社", max_length=64, blank=True)
    subject = models.CharField("学科", max_length=4)  # JY/T 1001 中小学课程代码
    stage = models.CharField("学段", max_length=2)  # 学段 code table

    class Meta:
        db_table = "resources_textbookedition"
        verbose_name = "教材版本"
        verbose_name_plural = "教材版本"
        ordering = ["stage", "subject", "code"]
        constraints = [models.UniqueConstraint(fields=["code", "subject", "stage"], name="edition_unique")]

    def __str__(self) -> str:
        return self.name


class TextbookVolume(models.Model):
    """One book (册) of an edition: 七年级上册 …"""

    edition = models.ForeignKey(TextbookEdition, models.CASCADE, related_name="volumes")
    code = models.CharField("代码", max_length=16)
    name = models.CharField("册", max_length=32)
    grade = models.CharField("年级", max_length=4)  # 年级 code table
    term = models.CharField("学期", max_length=2)  # 上 / 下
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        db_table = "resources_textbookvolume"
        verbose_name = "教材册次"
        verbose_name_plural = "教材册次"
        ordering = ["edition_id", "order"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="volume_unique")]

    def __str__(self) -> str:
        return f"{self.edition.name} {self.name}"


class Chapter(models.Model):
    """A chapter (``parent`` null) or a section of one, numbered as the book does (``24``, ``24.1``)."""

    volume = models.ForeignKey(TextbookVolume, models.CASCADE, related_name="chapters")
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="sections")
    number = models.CharField("编号", max_length=16)
    name = models.CharField("名称", max_length=128)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        db_table = "resources_chapter"
        verbose_name = "章节"
        verbose_name_plural = "章节"
        ordering = ["volume_id", "order"]
        constraints = [models.UniqueConstraint(fields=["volume", "number"], name="chapter_number_unique")]

    def __str__(self) -> str:
        return f"{self.label}"

    @property
    def label(self) -> str:
        if self.parent_id is None:
            if self.name.startswith(("第", "Unit ", "Starter Unit ")):  # 语文/英语: the title carries its number
                return self.name
            return f"第{self.number}章 {self.name}"
        return f"{self.number} {self.name}"


class KnowledgePoint(models.Model):
    """A knowledge point with its other names (for search) and the points a learner needs first."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    aliases = models.JSONField("别名", default=list, blank=True)
    subject = models.CharField("学科", max_length=4)
    stage = models.CharField("学段", max_length=2)
    chapter = models.ForeignKey(Chapter, models.SET_NULL, null=True, blank=True, related_name="knowledge_points")
    prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="leads_to",
        db_table="resources_knowledgepoint_prerequisites",
    )

    class Meta:
        db_table = "resources_knowledgepoint"
        verbose_name = "知识点"
        verbose_name_plural = "知识点"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

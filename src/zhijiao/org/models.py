"""The org tree: 省 → 市 → 区县 (GB/T 2260) → 学校 → 年级 → 班级, plus bureaus, school years and terms.

Divisions use their GB/T 2260 code as primary key. Codes are prefix-hierarchical (42 → 4201 → 420112),
so "everything under a division" is ``division__code__startswith=code`` — no join, no recursive query.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zhijiao.core.codes import code_name
from zhijiao.core.models import FeedMixin


class DivisionLevel(models.IntegerChoices):
    PROVINCE = 1, "省级"
    CITY = 2, "地市级"
    COUNTY = 3, "区县级"


class Division(models.Model):
    code = models.CharField("行政区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.PositiveSmallIntegerField("级别", choices=DivisionLevel.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Bureau(models.Model):
    """An education bureau (教育局) governing one division."""

    code = models.CharField("机构代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=128)
    division = models.OneToOneField(Division, models.PROTECT, related_name="bureau")

    class Meta:
        verbose_name = "教育行政部门"
        verbose_name_plural = "教育行政部门"

    def __str__(self) -> str:
        return self.name


class School(FeedMixin):
    code = models.CharField("学校标识码", max_length=10, unique=True)
    name = models.CharField("学校名称", max_length=128)
    school_type = models.CharField("办学类型", max_length=3)  # JY/T 1001 办学类型 (211, 311, 312 …)
    sponsor = models.CharField("举办者", max_length=3, blank=True)  # JY/T 1001 举办者
    division = models.ForeignKey(Division, models.PROTECT, related_name="schools", verbose_name="所在区县")
    address = models.CharField("地址", max_length=255, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    principal = models.CharField("校长", max_length=64, blank=True)
    founded_year = models.PositiveSmallIntegerField("建校年份", null=True, blank=True)
    stages = models.CharField("学段", max_length=16, help_text="开设学段代码，逗号分隔")
    is_active = models.BooleanField("在办", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "学校"
        verbose_name_plural = "学校"
        ordering = ["division_id", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{10}$"), name="school_code_10_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def school_type_name(self) -> str:
        return code_name("school_type", self.school_type)

    @property
    def stage_codes(self) -> list[str]:
        return [s for s in self.stages.split(",") if s]

    @property
    def stage_names(self) -> list[str]:
        return [code_name("stage", s) for s in self.stage_codes]


class SchoolYear(models.Model):
    start_year = models.PositiveSmallIntegerField("起始年份", unique=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    is_current = models.BooleanField("当前学年", default=False)

    class Meta:
        verbose_name = "学年"
        verbose_name_plural = "学年"
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_year"),
        ]

    def __str__(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}学年"


class Term(models.Model):
    school_year = models.ForeignKey(SchoolYear, models.CASCADE, related_name="terms")
    number = models.PositiveSmallIntegerField("学期", choices=[(1, "第一学期"), (2, "第二学期")])
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    is_current = models.BooleanField("当前学期", default=False)

    class Meta:
        verbose_name = "学期"
        verbose_name_plural = "学期"
        ordering = ["-school_year__start_year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "number"], name="term_unique_in_year"),
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_term"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year}{self.get_number_display()}"


class Grade(models.Model):
    """A cohort of one stage in one school, named by its entry year (2024级).

    Grade level (三年级, 初二 …) is derived from the current school year, so cohorts move up each
    September without rewriting records.
    """

    school = models.ForeignKey(School, models.CASCADE, related_name="grades")
    stage = models.CharField("学段", max_length=1)
    entry_year = models.PositiveSmallIntegerField("入学年份")

    class Meta:
        verbose_name = "年级"
        verbose_name_plural = "年级"
        ordering = ["school_id", "stage", "-entry_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "stage", "entry_year"], name="grade_unique_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_year}级"


class SchoolClass(FeedMixin):
    school = models.ForeignKey(School, models.CASCADE, related_name="classes")
    grade = models.ForeignKey(Grade, models.CASCADE, related_name="classes")
    number = models.PositiveSmallIntegerField("班号")
    name = models.CharField("班级名称", max_length=64)
    head_teacher = models.ForeignKey(
        "people.Staff",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="head_of_classes",
        verbose_name="班主任",
    )
    capacity = models.PositiveSmallIntegerField("额定人数", default=45)
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "班级"
        verbose_name_plural = "班级"
        ordering = ["school_id", "grade__stage", "-grade__entry_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grade", "number"], name="class_unique_number_in_grade"),
        ]

    def __str__(self) -> str:
        return self.name

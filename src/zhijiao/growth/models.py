"""Growth records (成长档案, 综合素质评价, 体质健康). Today: fitness test sessions and their results.

A ``FitnessSession`` is one school's test round in one term (a school may hold several, e.g. 春测 and 秋测). A
``FitnessResult`` is one pupil's results in it, scored by ``growth.fitness`` at import time: the measurements as
entered, each item's score, BMI band, 标准分, 附加分, 学年总分 and level; the class is the pupil's class then, so a
report stays what it was when the pupil moves. Written only by ``services.fitness_results_import``.
"""

from __future__ import annotations

from django.db import models


class FitnessSession(models.Model):
    school = models.ForeignKey("org.School", models.PROTECT, related_name="fitness_sessions", verbose_name="学校")
    term = models.ForeignKey("org.Term", models.PROTECT, related_name="fitness_sessions", verbose_name="学期")
    name = models.CharField("名称", max_length=100)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "体质健康测试"
        verbose_name_plural = "体质健康测试"
        constraints = [
            models.UniqueConstraint(fields=["school", "term", "name"], name="fitness_session_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.term} {self.name}"


class FitnessResult(models.Model):
    session = models.ForeignKey(FitnessSession, models.CASCADE, related_name="results")
    student = models.ForeignKey("people.Student", models.PROTECT, related_name="fitness_results")
    school_class = models.ForeignKey(
        "org.SchoolClass", models.PROTECT, null=True, blank=True, related_name="fitness_results"
    )
    grade = models.PositiveSmallIntegerField("年级")  # 1–12
    sex = models.CharField("性别", max_length=1)  # 男 / 女, as scored
    measurements = models.JSONField("成绩", default=dict)  # item code -> value in the standard's unit
    scores = models.JSONField("单项得分", default=dict)  # item code -> score (bmi included)
    bmi = models.FloatField("BMI", null=True)
    bmi_class = models.CharField("BMI等级", max_length=3)
    standard_score = models.DecimalField("标准分", max_digits=4, decimal_places=1)
    bonus = models.PositiveSmallIntegerField("附加分", default=0)
    total_score = models.DecimalField("学年总分", max_digits=4, decimal_places=1)
    level = models.CharField("等级", max_length=3)

    class Meta:
        verbose_name = "体质健康测试成绩"
        verbose_name_plural = "体质健康测试成绩"
        constraints = [
            models.UniqueConstraint(fields=["session", "student"], name="fitness_result_one_per_pupil"),
            models.CheckConstraint(
                condition=models.Q(level__in=["优秀", "良好", "及格", "不及格"]), name="fitness_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.student_id}: {self.total_score} {self.level}"

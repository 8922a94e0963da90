"""Growth records (成长档案, 综合素质评价, 体质健康). Today: fitness test sessions and their results.

A ``FitnessSession`` is one school's test round in one term (a school may hold several, e.g. 春测 and 秋测). A
``FitnessResult`` is one pupil's results in it, scored by ``growth.fitness`` at import time: the measurements as
entered, each item's score, BMI band, 标准分, 附加分, 学年总分 and level; the class is the pupil's class then, so a
report stays what it was when the pupil moves. Written only by ``services.fitness_results_import``.
"""

from __future__ import annotations

from django.conf import settings
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


# --------------------------------------------------------------------------------------------------------------------
# 综合素质评价: 写实记录 and the term process (decision 0046-term-process)
#
# A ``GrowthRecord`` is one 写实记录 of one pupil in one dimension, keyed to the pupil (``people.Student``, one per
# person in the region), not to a school: it follows the pupil on a transfer. The school and class at the time of
# recording are kept for the record's history. ``TermReview`` is the process of one class in one term
# (遴选 → 公示 → 审核 → 归档); its state moves only forward, through the services. Every change to a record, level,
# comment or review is kept in ``GrowthVersion`` (what it was after the change, who, when) and in the audit log.


class Framework(models.TextChoices):
    COMPULSORY = "compulsory", "义务教育"
    SENIOR = "senior", "普通高中"


# dimension code -> (framework, Chinese name, order); 《义务教育质量评价指南》(2021) and 教基二〔2014〕11号
DIMENSIONS: dict[str, tuple[str, str]] = {
    "c1": (Framework.COMPULSORY, "品德发展"),
    "c2": (Framework.COMPULSORY, "学业发展"),
    "c3": (Framework.COMPULSORY, "身心发展"),
    "c4": (Framework.COMPULSORY, "审美素养"),
    "c5": (Framework.COMPULSORY, "劳动与社会实践"),
    "s1": (Framework.SENIOR, "思想品德"),
    "s2": (Framework.SENIOR, "学业水平"),
    "s3": (Framework.SENIOR, "身心健康"),
    "s4": (Framework.SENIOR, "艺术素养"),
    "s5": (Framework.SENIOR, "社会实践"),
}
# the dimensions a guardian may record in (home labour and practice)
HOME_DIMENSIONS = frozenset({"c5", "s5"})


class AuthorRole(models.TextChoices):
    STUDENT = "student", "学生本人"
    HEAD_TEACHER = "head_teacher", "班主任"
    TEACHER = "teacher", "任课教师"
    GUARDIAN = "guardian", "家长"
    SCHOOL = "school", "学校"
    SYSTEM = "system", "系统导入"


class RecordStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    WITHDRAWN = "withdrawn", "已撤销"


class GrowthRecord(models.Model):
    student = models.ForeignKey("people.Student", models.PROTECT, related_name="growth_records")
    term = models.ForeignKey("org.Term", models.PROTECT, related_name="growth_records", verbose_name="学期")
    dimension = models.CharField("维度", max_length=2, choices=[(k, v[1]) for k, v in DIMENSIONS.items()])
    title = models.CharField("标题", max_length=100)
    description = models.TextField("内容", blank=True)
    occurred_on = models.DateField("日期")
    place = models.CharField("地点", max_length=100, blank=True)
    hours = models.DecimalField("时长（小时）", max_digits=5, decimal_places=1, null=True, blank=True)
    vouched_by = models.CharField("证明人", max_length=64, blank=True)
    links = models.JSONField("链接", default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    author_role = models.CharField("记录人身份", max_length=16, choices=AuthorRole.choices)
    # where the pupil was when this was recorded (the record itself follows the pupil)
    school = models.ForeignKey("org.School", models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", models.PROTECT, null=True, blank=True, related_name="+")
    activity = models.CharField("同一活动", max_length=32, blank=True, db_index=True)  # one activity → many pupils
    status = models.CharField("状态", max_length=16, choices=RecordStatus.choices, default=RecordStatus.ACTIVE)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "写实记录"
        verbose_name_plural = "写实记录"
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["student", "term"], name="growth_record_pupil_term")]
        constraints = [
            models.CheckConstraint(condition=models.Q(dimension__in=list(DIMENSIONS)), name="growth_record_dim"),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True) | models.Q(hours__gte=0, hours__lte=1000),
                name="growth_record_hours",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def dimension_name(self) -> str:
        return DIMENSIONS[self.dimension][1]


class RecordEvidence(models.Model):
    """A file attached to a record, stored through the user-file storage (``resources.storage``) by its SHA-256
    and served only through ``resources.serving`` (a safe list decides inline; everything else is a download)."""

    record = models.ForeignKey(GrowthRecord, models.CASCADE, related_name="evidence")
    name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"

    def __str__(self) -> str:
        return self.name


class ReviewState(models.TextChoices):
    SELECTING = "selecting", "遴选中"
    PUBLISHED = "published", "公示中"
    AUDITED = "audited", "已审核"
    ARCHIVED = "archived", "已归档"


REVIEW_ORDER = [ReviewState.SELECTING, ReviewState.PUBLISHED, ReviewState.AUDITED, ReviewState.ARCHIVED]


class TermReview(models.Model):
    """The term process of one class: 遴选 → 公示 (N working days, 异议) → 审核 → 归档; forward only."""

    school_class = models.ForeignKey("org.SchoolClass", models.PROTECT, related_name="growth_reviews")
    term = models.ForeignKey("org.Term", models.PROTECT, related_name="growth_reviews")
    state = models.CharField("状态", max_length=16, choices=ReviewState.choices, default=ReviewState.SELECTING)
    select_limit = models.PositiveSmallIntegerField("每个维度最多遴选", default=3)
    publicity_days = models.PositiveSmallIntegerField("公示工作日", default=5)
    published_on = models.DateField("公示开始", null=True, blank=True)
    publicity_ends_on = models.DateField("公示截止", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    audited_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    audited_at = models.DateTimeField("审核时间", null=True, blank=True)
    archived_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    audit_note = models.CharField("审核意见", max_length=500, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "综合素质评价学期流程"
        verbose_name_plural = "综合素质评价学期流程"
        constraints = [
            models.UniqueConstraint(fields=["school_class", "term"], name="growth_review_one_per_class_term"),
            models.CheckConstraint(
                condition=models.Q(select_limit__gte=1, select_limit__lte=20), name="growth_review_limit"
            ),
            models.CheckConstraint(
                condition=models.Q(publicity_days__gte=1, publicity_days__lte=30), name="growth_review_days"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} {self.term}"


class Selection(models.Model):
    """A record the pupil selected (遴选) for the class's review; published with it."""

    review = models.ForeignKey(TermReview, models.CASCADE, related_name="selections")
    record = models.ForeignKey(GrowthRecord, models.CASCADE, related_name="selections")
    selected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "record"], name="growth_selection_once")]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.record_id}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待答复"
    UPHELD = "upheld", "异议成立"
    REJECTED = "rejected", "异议不成立"


class Objection(models.Model):
    review = models.ForeignKey(TermReview, models.CASCADE, related_name="objections")
    record = models.ForeignKey(GrowthRecord, models.CASCADE, related_name="objections")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    raiser_role = models.CharField("提出人身份", max_length=16)  # 家长 / 教师
    reason = models.TextField("理由")
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField("处理结果", max_length=16, choices=ObjectionStatus.choices, default="pending")
    answer = models.TextField("答复", blank=True)
    outcome = models.CharField("处理方式", max_length=16, blank=True)  # corrected / withdrawn (upheld)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["raised_at"]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.reason[:20]}"


class Level(models.TextChoices):
    A = "A", "A（优秀）"
    B = "B", "B（良好）"
    C = "C", "C（合格）"
    D = "D", "D（待合格）"


class TermLevel(models.Model):
    review = models.ForeignKey(TermReview, models.CASCADE, related_name="levels")
    student = models.ForeignKey("people.Student", models.PROTECT, related_name="growth_levels")
    dimension = models.CharField("维度", max_length=2)
    level = models.CharField("等级", max_length=1, choices=Level.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "student", "dimension"], name="growth_level_once"),
            models.CheckConstraint(condition=models.Q(level__in=["A", "B", "C", "D"]), name="growth_level_abcd"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.dimension}={self.level}"


class StatementKind(models.TextChoices):
    TEACHER_COMMENT = "teacher", "教师评语"
    SELF = "self", "自我陈述"


class TermStatement(models.Model):
    review = models.ForeignKey(TermReview, models.CASCADE, related_name="statements")
    student = models.ForeignKey("people.Student", models.PROTECT, related_name="growth_statements")
    kind = models.CharField(max_length=8, choices=StatementKind.choices)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "student", "kind"], name="growth_statement_once")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.kind}"


class GrowthVersion(models.Model):
    """Every version of every growth object: what it held after the change, who made it, when, and why."""

    entity = models.CharField(max_length=16)  # record, review, level, statement, objection, archive
    entity_id = models.BigIntegerField()
    version = models.PositiveIntegerField()
    data = models.JSONField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["entity", "entity_id"], name="growth_version_entity")]

    def __str__(self) -> str:
        return f"{self.entity}#{self.entity_id} v{self.version}"


class GraduationArchive(models.Model):
    """The pupil's frozen archive at graduation: the exported content, its digest; records are locked after it."""

    student = models.OneToOneField("people.Student", models.PROTECT, related_name="growth_archive")
    school = models.ForeignKey("org.School", models.PROTECT, related_name="+")
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    frozen_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.student_id} {self.sha256[:12]}"


# --------------------------------------------------------------------------------------------------------------------
# 健康档案 (issue 16 item 4; decision 0055). ``HealthCheck``: one pupil's measurements on one day (身高, 体重,
# 视力, 屈光, 口腔); the 近视 flag is worked out by ``growth.health.myopia`` when it is saved and kept, with the rule's
# version, so a figure stays what it was. ``PsychScreening``: a psychological screening result, read and written only
# by the school's 心理教师 and read by the pupil's guardians (every read audited); it never enters a list, an export
# or the warehouse.


class HealthCheck(models.Model):
    student = models.ForeignKey("people.Student", models.PROTECT, related_name="health_checks")
    school = models.ForeignKey("org.School", models.PROTECT, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", models.PROTECT, null=True, blank=True, related_name="+")
    checked_on = models.DateField("检查日期")
    height_cm = models.DecimalField("身高（厘米）", max_digits=4, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField("体重（千克）", max_digits=4, decimal_places=1, null=True, blank=True)
    # 裸眼远视力, 五分记录 (GB/T 11533 标准对数视力表: 4.0 … 5.3)
    vision_left = models.DecimalField("左眼裸眼视力", max_digits=2, decimal_places=1, null=True, blank=True)
    vision_right = models.DecimalField("右眼裸眼视力", max_digits=2, decimal_places=1, null=True, blank=True)
    # 非睫状肌麻痹下电脑验光的等效球镜 (D)
    se_left = models.DecimalField("左眼等效球镜", max_digits=4, decimal_places=2, null=True, blank=True)
    se_right = models.DecimalField("右眼等效球镜", max_digits=4, decimal_places=2, null=True, blank=True)
    glasses = models.BooleanField("戴近视矫正眼镜", default=False)
    myopia = models.BooleanField("筛查性近视", null=True)  # None: not decidable from what was measured
    poor_vision = models.BooleanField("视力不良", null=True)
    caries = models.PositiveSmallIntegerField("龋齿（颗）", null=True, blank=True)
    note = models.CharField("其他筛查", max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "健康检查"
        verbose_name_plural = "健康检查"
        constraints = [
            models.UniqueConstraint(fields=["student", "checked_on"], name="health_check_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.checked_on}"


class PsychLevel(models.TextChoices):
    NORMAL = "normal", "未见明显问题"
    WATCH = "watch", "需要关注"
    REFER = "refer", "建议转介专业机构"


class PsychScreening(models.Model):
    student = models.ForeignKey("people.Student", models.PROTECT, related_name="psych_screenings")
    school = models.ForeignKey("org.School", models.PROTECT, related_name="+")
    screened_on = models.DateField("筛查日期")
    instrument = models.CharField("量表", max_length=60)
    score = models.DecimalField("得分", max_digits=5, decimal_places=1, null=True, blank=True)
    level = models.CharField("结论", max_length=8, choices=PsychLevel.choices)
    note = models.CharField("心理教师意见", max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "心理筛查"
        verbose_name_plural = "心理筛查"

    def __str__(self) -> str:
        return f"{self.student_id} {self.screened_on}"

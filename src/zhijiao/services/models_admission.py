"""义务教育招生 (school admission): plans, catchments, the bureau's eligibility rules, applications with their
evidence and history, and the local SMS outbox.

An application moves 待学校审核 → 待教育局审核 → 审核通过 (待派位) → 已录取 / 候补 → 已注册学籍; a reviewer may ask for
material (待补充材料, back to the step that asked) or refuse (未通过, the family may appeal once: 申诉中, the bureau
decides). Placement fills each school's seats by category order; a category that does not fit is drawn by the
existing lottery (``services.lottery``), the draw linked here. Results are shown to the family only once published.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhijiao.org.models import Division, School
from zhijiao.people.models import Student


class Stage(models.TextChoices):
    PRIMARY = "primary", "小学一年级"
    JUNIOR = "junior", "初中七年级"


# the org stage code of each admission stage (JY/T 学段: 2 小学, 3 初中)
STAGE_ORG_CODE = {Stage.PRIMARY: "2", Stage.JUNIOR: "3"}


class AdmissionPlan(models.Model):
    """Seats one school offers one year for one entry grade (the bureau, or the school for itself, sets it)."""

    school = models.ForeignKey(School, models.PROTECT, related_name="admission_plans", verbose_name="学校")
    year = models.PositiveSmallIntegerField("招生年份")
    stage = models.CharField("招生年级", max_length=8, choices=Stage.choices)
    seats = models.PositiveIntegerField("招生计划数")
    is_private = models.BooleanField("民办学校", default=False)
    note = models.CharField("说明", max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "招生计划"
        verbose_name_plural = "招生计划"
        ordering = ["-year", "school__code", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "stage"], name="services_adm_plan_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.school} {self.get_stage_display()} {self.seats}"


class Catchment(models.Model):
    """One residential compound (小区) or address range and the school(s) it belongs to (多校划片: several)."""

    division = models.ForeignKey(Division, models.PROTECT, related_name="+", verbose_name="区县")
    year = models.PositiveSmallIntegerField("招生年份")
    stage = models.CharField("学段", max_length=8, choices=Stage.choices)
    compound = models.CharField("小区名称", max_length=128)
    address_range = models.CharField("地址范围", max_length=255, blank=True)
    schools = models.ManyToManyField(School, related_name="+", verbose_name="对口学校")

    class Meta:
        verbose_name = "施教区"
        verbose_name_plural = "施教区"
        ordering = ["-year", "division_id", "compound"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "year", "stage", "compound"], name="services_adm_catchment_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.compound


class Housing(models.TextChoices):
    PROPERTY = "property", "自有房产"
    LEASE = "lease", "租赁住房"
    NONE = "none", "无"


class EligibilityRule(models.Model):
    """One priority category (一类/二类/三类生源) of one district and year, as data. An application falls in the first
    category (by rank) whose every condition it meets; conditions left empty do not apply."""

    division = models.ForeignKey(Division, models.PROTECT, related_name="+", verbose_name="区县")
    year = models.PositiveSmallIntegerField("招生年份")
    rank = models.PositiveSmallIntegerField("顺位")  # 1 = 一类 (placed first)
    name = models.CharField("类别名称", max_length=32)
    need_hukou_in_catchment = models.BooleanField("户籍在施教区内", default=False)
    housing = models.CharField("住房要求", max_length=32, blank=True)  # "property" or "property,lease"; "" any
    need_residence_permit = models.BooleanField("持有居住证", default=False)
    min_social_months = models.PositiveSmallIntegerField("社保缴纳月数不少于", default=0)
    note = models.CharField("说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "入学资格类别"
        verbose_name_plural = "入学资格类别"
        ordering = ["-year", "division_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["division", "year", "rank"], name="services_adm_rule_rank"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def housing_list(self) -> list[str]:
        return [h for h in self.housing.split(",") if h]


class AppStatus(models.TextChoices):
    SCHOOL = "school", "待学校审核"
    BUREAU = "bureau", "待教育局审核"
    SUPPLEMENT = "supplement", "待补充材料"
    APPROVED = "approved", "审核通过，待派位"
    REJECTED = "rejected", "未通过"
    APPEAL = "appeal", "申诉中"
    PLACED = "placed", "已录取"
    WAITLIST = "waitlist", "候补"
    ENROLLED = "enrolled", "已注册学籍"
    WITHDRAWN = "withdrawn", "已撤回"


REVIEW_STATUSES = (AppStatus.SCHOOL, AppStatus.BUREAU, AppStatus.SUPPLEMENT, AppStatus.APPEAL)


class Application(models.Model):
    """A family's application for one child, one year and one entry grade. Personal data (the child's ID number, the
    addresses) is shown masked except to the reviewers who decide on it."""

    number = models.CharField("报名编号", max_length=20, unique=True)
    year = models.PositiveSmallIntegerField("招生年份")
    stage = models.CharField("报名年级", max_length=8, choices=Stage.choices)
    division = models.ForeignKey(Division, models.PROTECT, related_name="+", verbose_name="区县")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="admission_applications", verbose_name="申请人"
    )
    guardian_name = models.CharField("监护人姓名", max_length=64)
    guardian_phone = models.CharField("联系手机", max_length=11)
    relation = models.CharField("与儿童关系", max_length=16)
    child_name = models.CharField("儿童姓名", max_length=64)
    child_id_number = models.CharField("儿童身份证号", max_length=18)
    child_sex = models.CharField("性别", max_length=1, blank=True)
    child_birth_date = models.DateField("出生日期", null=True, blank=True)
    hukou_address = models.CharField("户籍地址", max_length=255)
    catchment = models.ForeignKey(
        Catchment, models.PROTECT, null=True, blank=True, related_name="applications", verbose_name="居住小区"
    )
    home_address = models.CharField("居住地址（门牌号）", max_length=255)
    hukou_in_catchment = models.BooleanField("户籍在居住小区", default=False)
    housing = models.CharField("住房情况", max_length=16, choices=Housing.choices, default=Housing.NONE)
    residence_permit = models.BooleanField("持有本地居住证", default=False)
    social_months = models.PositiveSmallIntegerField("社保缴纳月数", default=0)
    school = models.ForeignKey(
        School, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="公办志愿学校"
    )
    private_school = models.ForeignKey(
        School, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="民办志愿学校"
    )
    category_rank = models.PositiveSmallIntegerField("资格类别顺位", null=True, blank=True)
    category_name = models.CharField("资格类别", max_length=32, blank=True)
    reasons = models.JSONField("资格审核依据", default=list)
    status = models.CharField("状态", max_length=16, choices=AppStatus.choices, default=AppStatus.SCHOOL)
    supplement_from = models.CharField("补充后回到", max_length=16, blank=True)
    appealed = models.BooleanField("已申诉", default=False)
    placed_school = models.ForeignKey(
        School, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="录取学校"
    )
    placed_by = models.CharField("录取方式", max_length=32, blank=True)  # 按类别顺位 / 电脑派位 / 候补递补
    waitlist_rank = models.PositiveIntegerField("候补顺位", null=True, blank=True)
    draw_id_ref = models.PositiveIntegerField("派位编号", null=True, blank=True)
    published_at = models.DateTimeField("结果公布时间", null=True, blank=True)
    student = models.ForeignKey(Student, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="学籍")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "入学申请"
        verbose_name_plural = "入学申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "child_id_number"],
                condition=~Q(status__in=["withdrawn", "rejected"]),
                name="services_adm_one_live_application",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["placed", "enrolled"]) | Q(placed_school__isnull=False),
                name="services_adm_placed_has_school",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status"], name="services_adm_app_status"),
            models.Index(fields=["school", "status"], name="services_adm_app_school"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def result_visible(self) -> bool:
        """Whether the family sees the placement (only once published)."""
        return self.published_at is not None


class ApplicationEvent(models.Model):
    """One step of an application's history (append-only): submitted, reviewed, asked for more, appealed, placed."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=32)
    label = models.CharField("操作方", max_length=64, blank=True)
    note = models.TextField("说明", max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "入学申请办理记录"
        verbose_name_plural = "入学申请办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


FILE_KINDS = {
    "hukou": "户口簿",
    "property": "房产证明",
    "lease": "租赁合同",
    "permit": "居住证",
    "social": "社保缴纳证明",
    "other": "其他材料",
}


class ApplicationFile(models.Model):
    """An evidence file (户口簿, 房产证, 租赁合同, 居住证, 社保证明), stored by content through the user-file storage
    (``resources.storage``) and always served as a download."""

    application = models.ForeignKey(Application, models.CASCADE, related_name="files")
    kind = models.CharField("材料类别", max_length=16)
    name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "入学申请材料"
        verbose_name_plural = "入学申请材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return FILE_KINDS.get(self.kind, "其他材料")


class SmsCode(models.Model):
    """A one-time sign-in code for a mobile number (only its digest is kept; a few tries, a short life)."""

    phone = models.CharField("手机号", max_length=11, db_index=True)
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.phone

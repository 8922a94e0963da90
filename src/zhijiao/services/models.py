"""网上办事: the admission lottery (公民同招 电脑派位), pupils' status changes (学籍异动), the registry of
off-campus training institutions (校外培训机构) and the catalogue of services.

The lottery of one school for one year:
A draw moves 已公示名单 → 已抽签 → 已公布 and never back. What is stored is exactly what is published: the canonical
applicant list (application numbers and masked names, never ID numbers), its hash and the commitment (fixed at
creation, so the list cannot change after it), then the notary's public input and the four result files byte for
byte, so the public pages serve the same bytes ``zhijiao lottery verify`` checks. Procedure: ``services.lottery``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhijiao.org.models import Division, School, SchoolClass
from zhijiao.people.models import Student


class DrawStatus(models.TextChoices):
    COMMITTED = "committed", "已公示名单"
    DRAWN = "drawn", "已抽签"
    PUBLISHED = "published", "已公布"


class LotteryDraw(models.Model):
    school = models.ForeignKey(School, models.PROTECT, related_name="lottery_draws", verbose_name="学校")
    year = models.PositiveSmallIntegerField("招生年份")
    title = models.CharField("名称", max_length=128)
    seats = models.PositiveIntegerField("招生名额")
    input_plan = models.CharField("公开数据来源（事先公告）", max_length=255)
    status = models.CharField("状态", max_length=16, choices=DrawStatus.choices, default=DrawStatus.COMMITTED)
    procedure_version = models.CharField("程序版本", max_length=32)
    applicants_csv = models.TextField("规范名单")
    applicants_count = models.PositiveIntegerField("申请人数")
    applicants_sha256 = models.CharField("名单 SHA-256", max_length=64)
    commitment = models.CharField("承诺值", max_length=64)
    committed_at = models.DateTimeField("公示时间")
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="公示人"
    )
    public_input = models.CharField("公开数据", max_length=255, blank=True)
    public_input_key = models.CharField("种子串", max_length=255, blank=True)
    notary = models.CharField("公证人员", max_length=64, blank=True)
    seed = models.CharField("种子", max_length=64, blank=True)
    inputs_json = models.TextField("inputs.json", blank=True)
    result_csv = models.TextField("result.csv", blank=True)
    sums = models.TextField("SHA256SUMS", blank=True)
    drawn_at = models.DateTimeField("抽签时间", null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "电脑派位"
        verbose_name_plural = "电脑派位"
        ordering = ["-year", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="services_draw_school_year"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="services_draw_seats_positive"),
            # drawn or published ⇒ the result and its inputs are there; published ⇒ it was drawn first
            models.CheckConstraint(
                condition=Q(status=DrawStatus.COMMITTED)
                | (~Q(result_csv="") & ~Q(public_input="") & Q(drawn_at__isnull=False)),
                name="services_draw_has_result",
            ),
            models.CheckConstraint(
                condition=~Q(status=DrawStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="services_draw_published_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def files(self) -> dict[str, bytes]:
        """The published files, byte for byte (only once drawn)."""
        return {
            "applicants.csv": self.applicants_csv.encode("utf-8"),
            "inputs.json": self.inputs_json.encode("utf-8"),
            "result.csv": self.result_csv.encode("utf-8"),
            "SHA256SUMS": self.sums.encode("utf-8"),
        }


# ------------------------------------------------------------------------------------------ 学籍异动 (status changes)
class CaseKind(models.TextChoices):
    TRANSFER = "transfer", "转学"
    SUSPEND = "suspend", "休学"
    RESUME = "resume", "复学"
    WITHDRAW = "withdraw", "退学"
    DECEASED = "deceased", "死亡"


class CaseStatus(models.TextChoices):
    PENDING = "pending", "审核中"
    SUPPLEMENT = "supplement", "待补充材料"
    APPROVED = "approved", "已办结"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_CASE_STATUSES = (CaseStatus.PENDING, CaseStatus.SUPPLEMENT)


class CaseStep(models.TextChoices):
    """Who decides next. A transfer: the school out, the school in, the bureau (out of the district: both bureaus);
    休学/复学/退学/死亡: the school, then the bureau. The labels are the steps' names on the pages."""

    SCHOOL_OUT = "school_out", "学校审核"
    SCHOOL_IN = "school_in", "转入学校审核"
    BUREAU_OUT = "bureau_out", "教育局审核"
    BUREAU_IN = "bureau_in", "转入地教育局审核"
    DONE = "done", "办结"


class ApplicantSide(models.TextChoices):
    SCHOOL = "school", "学校"
    GUARDIAN = "guardian", "监护人"


class StatusCase(models.Model):
    """One application for a pupil's status change, from submission to its end (办结, 未通过 or 撤回).

    The registry is changed only when the last step approves (through ``people.services.student_status_change``);
    until then the case is the only record of it. At most one open case per pupil (a constraint)."""

    number = models.CharField("申请编号", max_length=20, unique=True)
    kind = models.CharField("异动类型", max_length=16, choices=CaseKind.choices)
    student = models.ForeignKey(Student, models.PROTECT, related_name="status_cases", verbose_name="学生")
    from_school = models.ForeignKey(School, models.PROTECT, related_name="+", verbose_name="原学校")
    from_class = models.ForeignKey(
        SchoolClass, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="原班级"
    )
    to_school = models.ForeignKey(
        School, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="转入学校"
    )
    to_class = models.ForeignKey(
        SchoolClass, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="转入（复学）班级"
    )
    cross_district = models.BooleanField("跨区县", default=False)
    reason = models.TextField("申请理由", max_length=500)
    requested_on = models.DateField("申请生效日期")
    effective_on = models.DateField("实际生效日期", null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name="申请人"
    )
    applicant_side = models.CharField("申请方", max_length=16, choices=ApplicantSide.choices)
    status = models.CharField("办理状态", max_length=16, choices=CaseStatus.choices, default=CaseStatus.PENDING)
    step = models.CharField("当前环节", max_length=16, choices=CaseStep.choices, default=CaseStep.SCHOOL_OUT)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "学籍异动申请"
        verbose_name_plural = "学籍异动申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status__in=["pending", "supplement"]),
                name="services_one_open_case_per_student",
            ),
            models.CheckConstraint(
                condition=~Q(kind="transfer") | Q(to_school__isnull=False), name="services_transfer_has_school"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "supplement"]) | Q(closed_at__isnull=False),
                name="services_case_closed_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "step"], name="services_case_queue")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES

    @property
    def steps(self) -> list[str]:
        """The steps of this case, in order (the last one's approval applies it to the registry)."""
        if self.kind == CaseKind.TRANSFER:
            rest = [CaseStep.BUREAU_OUT, CaseStep.BUREAU_IN] if self.cross_district else [CaseStep.BUREAU_OUT]
            return [CaseStep.SCHOOL_OUT, CaseStep.SCHOOL_IN, *rest]
        return [CaseStep.SCHOOL_OUT, CaseStep.BUREAU_OUT]


def case_step_label(case: StatusCase, step: str) -> str:
    """The step's name for this case: a transfer's first school is the school out (转出学校), its bureau the
    district's (转出地 across districts)."""
    if case.kind == CaseKind.TRANSFER and step == CaseStep.SCHOOL_OUT:
        return "转出学校审核"
    if case.kind == CaseKind.TRANSFER and case.cross_district and step == CaseStep.BUREAU_OUT:
        return "转出地教育局审核"
    return str(CaseStep(step).label)


class CaseAction(models.TextChoices):
    SUBMIT = "submit", "提交申请"
    APPROVE = "approve", "审核通过"
    REJECT = "reject", "不予通过"
    SUPPLEMENT_REQUEST = "supplement_request", "要求补充材料"
    SUPPLEMENT = "supplement", "补充材料"
    WITHDRAW = "withdraw", "撤回申请"
    COMPLETE = "complete", "学籍已变更"


class StatusCaseEvent(models.Model):
    """One step of a case's history: who did what at which step, and why (append-only)."""

    case = models.ForeignKey(StatusCase, models.CASCADE, related_name="events")
    step = models.CharField("环节", max_length=16, choices=CaseStep.choices)
    action = models.CharField("操作", max_length=24, choices=CaseAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    actor_label = models.CharField("操作人", max_length=64, blank=True)  # "东西湖区第一小学 学校管理员"
    note = models.TextField("说明", max_length=500, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "学籍异动办理记录"
        verbose_name_plural = "学籍异动办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


# ------------------------------------------------------------------------------ 校外培训机构 (training institutions)
class InstitutionStatus(models.TextChoices):
    WHITE = "white", "白名单"
    BLACK = "black", "黑名单"
    CANCELLED = "cancelled", "已注销"


class Institution(models.Model):
    """An off-campus training institution as the bureau registers it. Everything here but the staff's certificate
    numbers (and the complaints) is public: families look institutions up before they pay."""

    licence_no = models.CharField("办学许可证号", max_length=40, unique=True)
    name = models.CharField("机构名称", max_length=128)
    division = models.ForeignKey(Division, models.PROTECT, related_name="+", verbose_name="所在区县")
    address = models.CharField("办学地址", max_length=255)
    subjects = models.CharField("培训科目", max_length=255)  # "、"-joined, as the licence lists them
    category = models.CharField("类别", max_length=16, default="非学科类")  # 学科类 / 非学科类
    phone = models.CharField("联系电话", max_length=32, blank=True)  # the institution's public number
    status = models.CharField("状态", max_length=16, choices=InstitutionStatus.choices, default=InstitutionStatus.WHITE)
    status_note = models.CharField("状态说明", max_length=255, blank=True)
    status_on = models.DateField("状态日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "校外培训机构"
        verbose_name_plural = "校外培训机构"
        ordering = ["division_id", "name"]
        indexes = [models.Index(fields=["division", "status"], name="services_inst_division")]

    def __str__(self) -> str:
        return self.name

    @property
    def subject_list(self) -> list[str]:
        return [s for s in self.subjects.split("、") if s]


class InstitutionStaff(models.Model):
    institution = models.ForeignKey(Institution, models.CASCADE, related_name="staff")
    name = models.CharField("姓名", max_length=64)
    subject = models.CharField("任教科目", max_length=32, blank=True)
    qualification = models.CharField("资格种类", max_length=64, blank=True)  # 教师资格证种类 / 专业资质
    certificate_no = models.CharField("资格证书编号", max_length=40, blank=True)

    class Meta:
        verbose_name = "机构从业人员"
        verbose_name_plural = "机构从业人员"
        ordering = ["institution_id", "id"]

    def __str__(self) -> str:
        return self.name


class InspectionResult(models.TextChoices):
    PASSED = "passed", "合格"
    RECTIFY = "rectify", "责令整改"
    FAILED = "failed", "不合格"


class Inspection(models.Model):
    institution = models.ForeignKey(Institution, models.CASCADE, related_name="inspections")
    inspected_on = models.DateField("检查日期")
    result = models.CharField("检查结果", max_length=16, choices=InspectionResult.choices)
    note = models.CharField("检查说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.inspected_on} {self.result}"


class ComplaintStatus(models.TextChoices):
    OPEN = "open", "处理中"
    CLOSED = "closed", "已办结"


class Complaint(models.Model):
    """A complaint about an institution. Not public (it may name a family); the public page shows none of it."""

    institution = models.ForeignKey(Institution, models.CASCADE, related_name="complaints")
    received_on = models.DateField("受理日期")
    summary = models.CharField("投诉内容", max_length=500)
    status = models.CharField("处理状态", max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    outcome = models.CharField("处理结果", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = "投诉记录"
        verbose_name_plural = "投诉记录"
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.received_on}"


# ---------------------------------------------------------------- 义务教育招生 (admission): its own module
from zhijiao.services.models_admission import (  # noqa: E402, F401
    AdmissionPlan,
    Application,
    ApplicationEvent,
    ApplicationFile,
    Catchment,
    EligibilityRule,
    SmsCode,
)

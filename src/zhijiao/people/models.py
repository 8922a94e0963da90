"""People in the registry: one Person per human; Student, Staff and guardianship hang off it.

Invariants live in database constraints (unique ID number, unique 学籍号, one active enrolment per
student); services check first so users get a clear Chinese message.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhijiao.core.codes import code_name
from zhijiao.core.models import FeedMixin
from zhijiao.core.student_status import StudentStatus, is_studying


class Person(models.Model):
    name = models.CharField("姓名", max_length=64)
    sex = models.CharField("性别", max_length=1)  # GB/T 2261.1
    birth_date = models.DateField("出生日期", null=True, blank=True)
    ethnicity = models.CharField("民族", max_length=2, blank=True)  # GB/T 3304
    id_type = models.CharField("身份证件类型", max_length=2, default="1")  # JY/T 1001 身份证件类型
    id_number = models.CharField("身份证件号", max_length=32, null=True, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    address = models.CharField("住址", max_length=255, blank=True)
    employer = models.CharField("工作单位", max_length=128, blank=True)
    origin = models.CharField("来源", max_length=64, blank=True)  # where the record was created; see FeedMixin
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number"],
                condition=Q(id_number__isnull=False),
                name="person_unique_id_number",
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def sex_name(self) -> str:
        return code_name("sex", self.sex)

    @property
    def ethnicity_name(self) -> str:
        return code_name("ethnicity", self.ethnicity)

    @property
    def id_type_name(self) -> str:
        return code_name("id_type", self.id_type)


class Student(FeedMixin):
    person = models.OneToOneField(Person, models.PROTECT, related_name="student")
    student_no = models.CharField("学籍号", max_length=19, unique=True)
    school = models.ForeignKey("org.School", models.PROTECT, related_name="students", verbose_name="当前学校")
    school_class = models.ForeignKey(
        "org.SchoolClass",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="students",
        verbose_name="当前班级",
    )
    status = models.CharField("学生当前状态", max_length=2, default=StudentStatus.IN_SCHOOL.value)  # JY/T 1001
    enrol_method = models.CharField("入学方式", max_length=2, blank=True)
    study_mode = models.CharField("就读方式", max_length=1, blank=True)
    source = models.CharField("学生来源", max_length=1, blank=True)
    health = models.CharField("健康状况", max_length=1, blank=True)
    hukou = models.CharField("户口性质", max_length=1, blank=True)
    hukou_place = models.CharField("户口所在地", max_length=128, blank=True)
    enrolled_on = models.DateField("入学日期", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "学生"
        verbose_name_plural = "学生"
        ordering = ["school_class_id", "student_no"]
        # the registry lists' order (school, class, 学籍号): a page is read in index order and stops at its last row,
        # instead of sorting a school's (or a district's) pupils for every page
        indexes = [models.Index(fields=["school", "school_class", "student_no"], name="student_list_order")]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.student_no}）"

    @property
    def status_name(self) -> str:
        return code_name("student_status", self.status)

    @property
    def is_studying(self) -> bool:
        """On the roll: 在读 or 复学 (core.student_status)."""
        return is_studying(self.status)


class Enrolment(models.Model):
    """A student's time in one class. A transfer ends this row and opens a new one: history, not overwrite.

    ``Student.school``/``school_class`` mirror the open enrolment for fast scoped reads; services keep them
    in step inside the same transaction.
    """

    student = models.ForeignKey(Student, models.CASCADE, related_name="enrolments")
    school = models.ForeignKey("org.School", models.PROTECT, related_name="enrolments")
    school_class = models.ForeignKey("org.SchoolClass", models.PROTECT, related_name="enrolments")
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=64, blank=True)

    class Meta:
        verbose_name = "在籍记录"
        verbose_name_plural = "在籍记录"
        ordering = ["student_id", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(ended_on__isnull=True),
                name="one_active_enrolment_per_student",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="enrolment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}@{self.school_class_id} {self.started_on}–{self.ended_on or ''}"


class Staff(FeedMixin):
    """A post held by a person at a school or a bureau (exactly one of the two)."""

    person = models.ForeignKey(Person, models.PROTECT, related_name="posts")
    staff_no = models.CharField("工号", max_length=32)
    school = models.ForeignKey("org.School", models.PROTECT, null=True, blank=True, related_name="staff")
    bureau = models.ForeignKey("org.Bureau", models.PROTECT, null=True, blank=True, related_name="staff")
    category = models.CharField("教职工类别", max_length=2)  # JY/T 1001 教职工类别
    post = models.CharField("岗位", max_length=64, blank=True)
    subject = models.CharField("主要任教学科", max_length=2, blank=True)  # JY/T 1001 中小学课程
    political = models.CharField("政治面貌", max_length=2, blank=True)
    hired_on = models.DateField("入职日期", null=True, blank=True)
    is_active = models.BooleanField("在岗", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "教职工"
        verbose_name_plural = "教职工"
        ordering = ["school_id", "staff_no"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(school__isnull=False) & Q(bureau__isnull=True))
                | (Q(school__isnull=True) & Q(bureau__isnull=False)),
                name="staff_at_school_xor_bureau",
            ),
            models.UniqueConstraint(fields=["school", "staff_no"], name="staff_no_unique_in_school"),
            models.UniqueConstraint(fields=["bureau", "staff_no"], name="staff_no_unique_in_bureau"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.staff_no}）"

    @property
    def category_name(self) -> str:
        return code_name("staff_category", self.category)

    @property
    def subject_name(self) -> str:
        return code_name("subject", self.subject)


class Guardianship(FeedMixin):
    guardian = models.ForeignKey(Person, models.PROTECT, related_name="wards")
    student = models.ForeignKey(Student, models.CASCADE, related_name="guardianships")
    relation = models.CharField("关系", max_length=2)  # GB/T 4761 家庭关系
    is_legal_guardian = models.BooleanField("法定监护人", default=True)
    is_primary_contact = models.BooleanField("首要联系人", default=False)

    class Meta:
        verbose_name = "监护关系"
        verbose_name_plural = "监护关系"
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianship_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id}→{self.student_id} {self.relation_name}"

    @property
    def relation_name(self) -> str:
        return code_name("family_relation", self.relation)


class TeachingAssignment(models.Model):
    staff = models.ForeignKey(Staff, models.CASCADE, related_name="assignments")
    school_class = models.ForeignKey("org.SchoolClass", models.CASCADE, related_name="assignments")
    subject = models.CharField("学科", max_length=2)  # JY/T 1001 中小学课程
    term = models.ForeignKey("org.Term", models.PROTECT, related_name="assignments")
    origin = models.CharField("来源", max_length=64, blank=True)

    class Meta:
        verbose_name = "任课安排"
        verbose_name_plural = "任课安排"
        constraints = [
            models.UniqueConstraint(fields=["staff", "school_class", "subject", "term"], name="assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id}@{self.school_class_id} {self.subject_name}"

    @property
    def subject_name(self) -> str:
        return code_name("subject", self.subject)


class ChangeRecord(models.Model):
    """One field of one people record changed: who, when, old → new, and from which source."""

    entity = models.CharField("对象类型", max_length=32)  # person, student, staff, enrolment …
    entity_id = models.BigIntegerField("对象ID")
    person = models.ForeignKey(Person, models.CASCADE, null=True, related_name="changes")
    field = models.CharField("字段", max_length=64)
    old_value = models.TextField("原值", blank=True)
    new_value = models.TextField("新值", blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True)
    source = models.CharField("来源", max_length=64, blank=True)  # web, api, import:<batch>#<row> …
    batch_id = models.BigIntegerField("导入批次", null=True, blank=True, db_index=True)
    changed_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["entity", "entity_id"])]

    def __str__(self) -> str:
        return f"{self.entity}#{self.entity_id}.{self.field}: {self.old_value} → {self.new_value}"

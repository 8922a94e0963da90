"""请假 (leave requests). A guardian applies for one of their children; the application is addressed to the class the
child is in at that moment (kept on the row, so a later class change does not move it) and decided by that class's
班主任. Approved leave is what the class attendance view lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LeaveKind(models.TextChoices):
    SICK = "sick", "病假"
    PERSONAL = "personal", "事假"


class LeavePart(models.TextChoices):
    FULL = "full", "全天"
    MORNING = "am", "上午"
    AFTERNOON = "pm", "下午"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"
    CANCELLED = "cancelled", "已撤销"


class LeaveRequest(models.Model):
    student = models.ForeignKey("people.Student", models.CASCADE, related_name="leave_requests")
    school_class = models.ForeignKey("org.SchoolClass", models.PROTECT, related_name="+")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="leave_applied")
    kind = models.CharField("请假类型", max_length=8, choices=LeaveKind.choices)
    part = models.CharField("时段", max_length=4, choices=LeavePart.choices, default=LeavePart.FULL)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=300)
    status = models.CharField("状态", max_length=9, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="leave_decided"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        verbose_name = "请假"
        verbose_name_plural = "请假"
        ordering = ["-start_date", "-pk"]
        indexes = [
            # a class's leave on a day / in a term; the 班主任's pending list
            models.Index(fields=["school_class", "status", "start_date"], name="spaces_leave_class"),
            models.Index(fields=["student", "-start_date"], name="spaces_leave_student"),
        ]
        constraints = [
            models.CheckConstraint(name="spaces_leave_dates", condition=models.Q(end_date__gte=models.F("start_date")))
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.start_date}–{self.end_date}"

    @property
    def days(self) -> float:
        if self.part != LeavePart.FULL:
            return 0.5
        return float((self.end_date - self.start_date).days + 1)

    @property
    def when(self) -> str:
        """3月2日 上午 / 3月2日–3月4日."""
        first = f"{self.start_date.month}月{self.start_date.day}日"
        if self.part != LeavePart.FULL:
            return f"{first} {self.get_part_display()}"
        if self.end_date == self.start_date:
            return f"{first} 全天"
        return f"{first}–{self.end_date.month}月{self.end_date.day}日"

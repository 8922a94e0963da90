"""A :class:`Thread` joins one guardian account and one staff account about one pupil (the guardian's child, in a
class the staff member heads or teaches). Pupils take no part: messages run between adults in school roles only.
A message written in quiet hours (21:00–07:00) is held: ``deliver_at`` is the next 07:00 and the recipient sees it
from then (the sender sees it as 待送达). A school administrator may hide a message (moderation, audited); the
participants then see that it was hidden, not its text."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Thread(models.Model):
    student = models.ForeignKey("people.Student", models.CASCADE, related_name="+")
    school_class = models.ForeignKey("org.SchoolClass", models.PROTECT, related_name="+")
    guardian = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    last_at = models.DateTimeField("最近消息", null=True, blank=True)

    class Meta:
        verbose_name = "家校沟通"
        verbose_name_plural = "家校沟通"
        ordering = ["-last_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian", "staff"], name="spaces_thread_unique"),
        ]
        indexes = [
            models.Index(fields=["guardian", "-last_at"], name="spaces_thread_guardian"),
            models.Index(fields=["staff", "-last_at"], name="spaces_thread_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id}↔{self.staff_id}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    body = models.CharField("内容", max_length=1000)
    created_at = models.DateTimeField("发送时间")
    deliver_at = models.DateTimeField("送达时间")
    hidden_at = models.DateTimeField("隐藏时间", null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    hidden_reason = models.CharField("隐藏原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"], name="spaces_message_thread")]

    def __str__(self) -> str:
        return f"{self.thread_id}: {self.pk}"

"""Demo 请假: the demo guardian's child has an approved sick leave today, a pending 事假 for the 班主任 to decide and
an earlier refused one; classmates have approved leave earlier in the term (the class attendance view's term list)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from zhijiao.audit.services import Origin
from zhijiao.identity.models import Account
from zhijiao.people.models import Guardianship, Student
from zhijiao.spaces.leave import services
from zhijiao.spaces.leave.models import LeaveRequest, LeaveStatus

ORIGIN = Origin(channel="cli")
REASONS = {
    "sick": ["感冒发烧，在家休息", "肠胃不适，去医院就诊", "咳嗽较重，遵医嘱休息一天", "牙痛，去口腔医院复诊"],
    "personal": ["参加亲属婚礼", "回老家办理户籍手续", "参加市青少年钢琴比赛", "陪同家人就医"],
}


def demo_leave(*, seed: int = 42, progress: Callable[[str], None] = print) -> None:
    if LeaveRequest.objects.exists():
        return
    accounts = {a.username: a for a in Account.objects.filter(username__in=["parent", "banzhuren"])}
    if len(accounts) < 2:
        return
    parent, head = accounts["parent"], accounts["banzhuren"]
    # the demo pupil (the 班主任's class), else the guardian's first child in a class with a head teacher
    pupil = Account.objects.filter(username="student").values_list("person_id", flat=True).first()
    kids = Student.objects.filter(
        guardianships__guardian_id=parent.person_id, school_class__head_teacher__isnull=False
    ).select_related("school_class")
    child = kids.filter(person_id=pupil or 0).first() or kids.order_by("pk").first()
    if child is None or child.school_class is None:
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        earlier = services.leave_apply(
            actor=parent,
            student_id=child.pk,
            kind="personal",
            start=today - timedelta(days=5),
            end=today - timedelta(days=4),
            reason="回老家探望长辈",
            origin=ORIGIN,
        )
        services.leave_decide(
            actor=head, leave_id=earlier.pk, approve=False, note="临近单元测验，建议周末安排", origin=ORIGIN
        )
        sick = services.leave_apply(
            actor=parent,
            student_id=child.pk,
            kind="sick",
            start=today,
            end=today,
            reason="早上发烧 38.2℃，在家休息观察",
            origin=ORIGIN,
        )
        services.leave_decide(actor=head, leave_id=sick.pk, approve=True, note="好好休息，作业返校后补", origin=ORIGIN)
        services.leave_apply(
            actor=parent,
            student_id=child.pk,
            kind="personal",
            part="pm",
            start=today + timedelta(days=2),
            reason="下午参加区青少年书法比赛",
            origin=ORIGIN,
        )
        # classmates: approved leave earlier this term (written directly: the service takes no back-dated leave),
        # two of them away today
        mates = list(Student.objects.filter(school_class=child.school_class).exclude(pk=child.pk).order_by("pk")[:12])
        guardian_accounts = dict(
            Guardianship.objects.filter(student__in=mates, guardian__account__isnull=False).values_list(
                "student_id", "guardian__account__id"
            )
        )
        rows = []
        for i, mate in enumerate(mates):
            applicant = guardian_accounts.get(mate.pk, parent.pk)
            kind = rng.choice(["sick", "sick", "personal"])
            start = today if i < 2 else today - timedelta(days=rng.randint(3, 60))
            length = 0 if i < 2 else rng.choice([0, 0, 1, 2])
            part = "am" if i == 1 else "full"
            rows.append(
                LeaveRequest(
                    student=mate,
                    school_class=child.school_class,
                    applicant_id=applicant,
                    kind=kind,
                    part=part,
                    start_date=start,
                    end_date=start + timedelta(days=length),
                    reason=rng.choice(REASONS[kind]),
                    status=LeaveStatus.APPROVED,
                    decided_by=head,
                    decided_at=timezone.now(),
                )
            )
        LeaveRequest.objects.bulk_create(rows)
    demo_messages(parent=parent, head=head, child=child)
    progress(f"请假：{LeaveRequest.objects.count()} 条")


def demo_messages(*, parent: Account, head: Account, child: Student) -> None:
    """家校沟通: the demo guardian and the 班主任 about the child, one message written in quiet hours (delivered at
    7:00). Written directly with their times (the service stamps the present)."""
    from zhijiao.spaces.contact.models import Message, Thread
    from zhijiao.spaces.contact.selectors import deliver_time

    if child.school_class is None or Thread.objects.filter(guardian=parent, staff=head).exists():
        return
    thread = Thread.objects.create(student=child, school_class=child.school_class, guardian=parent, staff=head)
    zone = timezone.get_current_timezone()
    yesterday = timezone.localdate() - timedelta(days=1)
    lines = [
        (parent, time(18, 40), "杨老师您好，孩子这两天晚上总咳嗽，明天如果发烧就请假在家休息。"),
        (head, time(19, 5), "好的，孩子身体要紧。请假在“请假”页提交就行，落下的作业我会让同学带回去。"),
        (parent, time(22, 10), "谢谢老师！刚量了体温 37.9℃，明早再看情况。"),
    ]
    for sender, at, body in lines:
        created = datetime.combine(yesterday, at, tzinfo=zone)
        Message.objects.create(
            thread=thread, sender=sender, body=body, created_at=created, deliver_at=deliver_time(created)
        )
    thread.last_at = datetime.combine(yesterday, lines[-1][1], tzinfo=zone)
    thread.save(update_fields=["last_at"])

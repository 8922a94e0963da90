"""The learning app's panel on the 网络学习空间 homes (``core.space_panels``): on a pupil's own space and on each
child's block of a guardian's space, the homework still to do, the latest marked results and the points to practise
(with a pushed resource when there is one), in the plain words of the guardian's view (``reports_area``).

Only the pupil and their registered guardians get it (``reports_area.child_may_read``); anyone else gets nothing.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from zhijiao.core.actor import Actor
from zhijiao.core.space_panels import Panel, PanelItem, SpaceContext, space_panel_register
from zhijiao.learning.models import AssignmentMode, AssignmentStatus, Submission, SubmissionStatus
from zhijiao.learning.reports_area import child_may_read, child_summary
from zhijiao.people.models import Student

TONES = {"优秀": "green", "良好": "blue", "合格": "gray"}  # anything else (需加油): orange


def learning_panel(actor: Actor, context: SpaceContext) -> Panel | None:
    if context.student_id is None:
        return None
    student = Student.objects.filter(pk=context.student_id).select_related("person", "school_class__grade").first()
    if student is None or not child_may_read(actor=actor, student=student):
        return None
    own = context.kind == "pupil"
    now = timezone.now()
    todo = (
        Submission.objects.filter(
            student=student,
            status__in=[SubmissionStatus.ASSIGNED, SubmissionStatus.STARTED],
            assignment__status=AssignmentStatus.PUBLISHED,
            assignment__mode=AssignmentMode.ONLINE,
            assignment__opens_at__lte=now,
        )
        .filter(Q(assignment__due_at__isnull=True) | Q(assignment__due_at__gt=now))
        .select_related("assignment")
        .order_by("assignment__due_at", "pk")[:3]
    )
    items = [
        PanelItem(
            title=s.assignment.title,
            url=f"/learning/my/homework/{s.pk}/" if own else "",
            meta=f"{s.assignment.due_at.astimezone():%m月%d日 %H:%M} 截止" if s.assignment.due_at else "",
            badge="作答中" if s.status == SubmissionStatus.STARTED else "未完成",
            tone="orange",
        )
        for s in todo
    ]
    summary = child_summary(actor=actor, student=student, now=now)
    items += [
        PanelItem(
            title=r.title,
            meta=f"{r.kind} · {r.score:g}/{r.max_score:g} 分",
            badge=r.words,
            tone=TONES.get(r.words, "orange"),
        )
        for r in summary.results[:2]
    ]
    items += [
        PanelItem(title=f"多练：{p.name}", url=p.resource_url, meta=p.resource_title and f"推荐：{p.resource_title}")
        for p in summary.practise[:2]
    ]
    return Panel(
        key="learning",
        title="作业与学习情况" if own else f"{student.person.name}的作业与学习情况",
        items=items,
        more_url="/learning/my/homework/" if own else f"/learning/reports/child/{student.pk}/",
        more_label="我的作业" if own else "学习情况",
        empty="暂时没有要完成的作业，也没有批改过的作业和考试。",
        order=20,
    )


def register() -> None:
    space_panel_register("learning", learning_panel, kinds=("pupil", "guardian"), order=20)

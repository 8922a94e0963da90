"""The space panels the spaces app owns, registered through ``core.space_panels`` like any other app's (see
``SpacesConfig.ready``): resources for the pupil's grade, and for a guardian each child's leave and messages."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.core.codes import code_name
from zhijiao.core.space_panels import Panel, PanelItem, SpaceContext, space_panel_register
from zhijiao.resources.selectors import resource_for_pupil
from zhijiao.spaces.contact.selectors import thread_list
from zhijiao.spaces.leave.models import LeaveStatus
from zhijiao.spaces.leave.selectors import guardian_list


def _when(at: datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


_LEAVE_TONE: dict[str, str] = {LeaveStatus.PENDING: "orange", LeaveStatus.APPROVED: "green"}


def resources_panel(actor: Actor, context: SpaceContext) -> Panel | None:
    """学习资源: a few published resources for the pupil's grade (what the pupil may see)."""
    if not context.stage or not context.grade:
        return None
    items = [
        PanelItem(r.title, f"/resources/{r.pk}/", f"{code_name('subject', r.subject)} · {r.get_type_display()}")
        for r in resource_for_pupil(actor=actor, stage=context.stage, grade=context.grade, limit=5)
    ]
    return Panel(
        "resources",
        f"{code_name('grade', context.grade)}学习资源",
        items,
        more_url=f"/resources/?stage={context.stage}&grade={context.grade}",
        empty="这个年级还没有发布的资源。",
        order=50,
    )


def leave_panel(actor: Actor, context: SpaceContext) -> Panel | None:
    """请假: the child's latest leave requests (the guardian's own view of them)."""
    if context.student_id is None:
        return None
    rows = guardian_list(actor=actor).filter(student_id=context.student_id)[:3]
    items = [
        PanelItem(
            f"{r.get_kind_display()} · {r.when}",
            "/space/leave/",
            r.reason[:40],
            r.get_status_display(),
            _LEAVE_TONE.get(r.status, "gray"),
        )
        for r in rows
    ]
    return Panel(
        "leave", "请假", items, more_url="/space/leave/", more_label="申请请假", empty="没有请假记录。", order=60
    )


def messages_panel(actor: Actor, context: SpaceContext) -> Panel | None:
    """家校沟通: the guardian's threads about the child, latest first."""
    if context.student_id is None:
        return None
    threads = thread_list(actor=actor).filter(student_id=context.student_id).select_related("staff")[:3]
    items = [
        PanelItem(
            f"与{t.staff.display_name or '老师'}的沟通",
            f"/space/messages/{t.pk}/",
            f"最近 {_when(t.last_at)}" if t.last_at else "",
        )
        for t in threads
    ]
    return Panel(
        "messages",
        "家校沟通",
        items,
        more_url="/space/messages/",
        more_label="联系老师",
        empty="还没有和老师沟通过。",
        order=70,
    )


def register() -> None:
    space_panel_register("spaces.resources", resources_panel, kinds=("pupil", "guardian"), order=50)
    space_panel_register("spaces.leave", leave_panel, kinds=("guardian",), order=60)
    space_panel_register("spaces.messages", messages_panel, kinds=("guardian",), order=70)

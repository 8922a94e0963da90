"""Notices for a class's 综合素质评价 publicity (subscribed to ``core.growth_events`` in ``SpacesConfig.ready()``;
decision 0055-health-file): the class's guardians and its teachers are told that the selections are published and
objections are open until the end date. Sent as the account that opened the publicity, when it may address the
class (its 班主任 or teachers, the school's administrators); otherwise nothing is sent (logged)."""

from __future__ import annotations

import logging

from zhijiao.core.growth_events import PublicityEvent
from zhijiao.identity.models import Account
from zhijiao.org.models import SchoolClass
from zhijiao.spaces import selectors
from zhijiao.spaces.models import AudienceKind, RecipientKind
from zhijiao.spaces.services import notice_send

logger = logging.getLogger(__name__)


def publicity_notices_send(event: PublicityEvent) -> int:
    """Two notices (guardians, staff) for ``event``; returns how many were sent."""
    actor = Account.objects.filter(pk=event.publisher_id, is_active=True).first()
    klass = SchoolClass.objects.select_related("school").filter(pk=event.class_id).first()
    if actor is None or klass is None or not selectors.node_may_address(actor=actor, node=klass):
        logger.info("公示通知未发送：发布人不能向该班发通知（%s）", event)
        return 0
    ends = f"{event.ends_on.month}月{event.ends_on.day}日"
    title = f"{event.class_label} 综合素质评价公示"
    body = (
        f"{event.class_label}学生本学期遴选的写实记录已公示，公示期至 {ends}。"
        f"如对公示内容有异议，请在 {ends} 前登录平台，在“成长档案”中该班的公示页提出，学校将答复处理。"
    )
    for recipients in (RecipientKind.GUARDIANS, RecipientKind.STAFF):
        notice_send(
            actor=actor, title=title, body=body, audience_kind=AudienceKind.CLASS, node_id=klass.pk,
            recipients=recipients,
        )  # fmt: skip
    return 2

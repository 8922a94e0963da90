"""Writes of the space homes: a day of space use (the 活跃空间 indicator), a school's page, reminder opt-outs."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, ZhijiaoError
from zhijiao.org.models import School
from zhijiao.spaces.errors import SpacesError
from zhijiao.spaces.homes.models import ChannelOptOut, SchoolPage, SpaceVisit
from zhijiao.spaces.homes.selectors import school_may_edit

# Channels a person may switch off; in-app stays (the notice is in their space whatever they choose).
OPTIONAL_CHANNELS = {"email": "邮件", "sms": "短信", "wechat": "企业微信"}


def space_visit_record(*, actor: Actor, on: date | None = None) -> None:
    """Note that the account used its space on ``on`` (today, Beijing): one row per account and day, so calling it
    on every visit is safe (a conflicting insert is ignored)."""
    if not actor.is_authenticated:
        return
    day = on or timezone.localdate()
    SpaceVisit.objects.bulk_create([SpaceVisit(account_id=actor.pk, day=day)], ignore_conflicts=True)


def school_page_save(
    *, actor: Actor, school: School, intro: str, motto: str, is_public: bool, origin: Origin
) -> SchoolPage:
    """The school's administrators (and the bureaus above) write its introduction and choose whether it shows a
    public face; audited."""
    if not school_may_edit(actor=actor, school=school):
        raise Forbidden(SpacesError.SPACES_PAGE_NOT_ALLOWED.message)
    intro, motto = (intro or "").strip(), (motto or "").strip()
    if len(intro) > 3000:
        raise ZhijiaoError(SpacesError.SPACES_INTRO_TOO_LONG, field="学校简介")
    if len(motto) > 60:
        raise ZhijiaoError(SpacesError.SPACES_MOTTO_TOO_LONG, field="校训")
    with transaction.atomic():
        page, _ = SchoolPage.objects.update_or_create(
            school=school,
            defaults={"intro": intro, "motto": motto, "is_public": bool(is_public), "updated_by_id": actor.pk},
        )
        audit_record(
            actor=actor,
            action="spaces.school_page_save",
            origin=origin,
            target=Target("school", str(school.pk), school.name),
            fields=("intro", "motto", "is_public"),
        )
    return page


def channel_optouts(*, actor: Actor) -> set[str]:
    return set(ChannelOptOut.objects.filter(account_id=actor.pk).values_list("channel", flat=True))


def channel_optouts_set(*, actor: Actor, wanted: set[str]) -> set[str]:
    """Keep reminders by the channels in ``wanted`` and opt out of the other optional ones; returns the opt-outs."""
    out = set(OPTIONAL_CHANNELS) - set(wanted)
    with transaction.atomic():
        ChannelOptOut.objects.filter(account_id=actor.pk).exclude(channel__in=out).delete()
        ChannelOptOut.objects.bulk_create(
            [ChannelOptOut(account_id=actor.pk, channel=c) for c in sorted(out)], ignore_conflicts=True
        )
    return out

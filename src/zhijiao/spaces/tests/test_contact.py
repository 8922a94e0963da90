"""家校沟通 messages: guardian ↔ their child's 班主任/teachers only, no pupils; quiet hours hold a message until 7:00
(待送达); a school administrator hides a message (audited); outsiders get 404."""

from __future__ import annotations

from datetime import datetime
from unittest import mock

import pytest
from django.utils import timezone

from zhijiao.access.models import RoleGrant
from zhijiao.access.roles import Role
from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core.errors import Forbidden, NotFound
from zhijiao.identity.models import Account
from zhijiao.people.services import guardianship_add
from zhijiao.spaces.contact import selectors, services
from zhijiao.spaces.contact.models import Message
from zhijiao.testing import login_as

ORIGIN = Origin(channel="cli")


@pytest.fixture
def family(region):
    guardianship_add(
        actor=None, guardian=region.persons["parent"], student=region.students["s3"], relation="母亲", primary=True
    )
    return region


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=timezone.get_current_timezone())


def test_deliver_time_quiet_hours():
    assert selectors.deliver_time(_at(12)) == _at(12)
    assert selectors.deliver_time(_at(20, 59)) == _at(20, 59)
    assert selectors.deliver_time(_at(21)) == _at(7).replace(day=3)
    assert selectors.deliver_time(_at(6, 30)) == _at(7)


def test_partners(family):
    parent = [p.label for p in selectors.partners(actor=family.accounts["parent"])]
    assert any("班主任" in label for label in parent)  # s3's 班主任 (head)
    assert any("任课教师" in label for label in parent)  # s1's 数学 teacher
    assert selectors.partners(actor=family.accounts["student"]) == []  # pupils take no part
    head = selectors.partners(actor=family.accounts["head"])
    assert [p.student_id for p in head] == [family.students["s3"].pk]


def test_thread_flow_quiet_hours_and_moderation(client, family):
    parent, head = family.accounts["parent"], family.accounts["head"]
    partner = next(p for p in selectors.partners(actor=parent) if p.account_id == head.pk)
    thread = services.thread_start(actor=parent, partner=partner.value)
    assert thread.guardian_id == parent.pk and thread.staff_id == head.pk
    # fixed times of today, whatever the clock says when the test runs (quiet hours are 21:00–07:00 local time)
    day = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    night = day.replace(hour=22)
    with mock.patch("zhijiao.spaces.contact.services.timezone.now", return_value=day):
        services.message_post(actor=parent, thread=thread, body="孩子今天咳嗽，麻烦多关照。")
    with mock.patch("zhijiao.spaces.contact.services.timezone.now", return_value=night):
        held = services.message_post(actor=parent, thread=thread, body="明早会晚到十分钟。")
    assert held.deliver_at > held.created_at
    # at 22:01 the 班主任 sees the first message only (the second waits for 7:00); the guardian sees both, 待送达
    with mock.patch("zhijiao.spaces.contact.selectors.timezone.now", return_value=night.replace(minute=1)):
        seen = [m.body for m in selectors.thread_messages(actor=head, thread=thread)]
    assert seen == ["孩子今天咳嗽，麻烦多关照。"]
    # the pages at 22:01 of that day too (the held message still 待送达, the first delivered)
    with mock.patch("django.utils.timezone.now", return_value=night.replace(minute=1)):
        login_as(client, "parent")
        page = client.get(f"/space/messages/{thread.pk}/").content.decode()
        assert "明早会晚到十分钟" in page and "待送达" in page
        # outsiders: 404; pupils cannot start
        login_as(client, "teacher")  # teaches A1, not in this thread
        assert client.get(f"/space/messages/{thread.pk}/").status_code == 404
        with pytest.raises(Forbidden):
            services.thread_start(actor=family.accounts["student"], partner=partner.value)
        # moderation: the school's administrator hides a message; the participants see it was hidden, not its text
        admin = Account.objects.create_user(username="schooladmin", password="x")
        RoleGrant.objects.create(account=admin, role=Role.SCHOOL_ADMIN, school=family.schools["A"])
        first = Message.objects.filter(thread=thread).order_by("pk").first()
        with pytest.raises(Forbidden):
            services.message_hide(actor=head, message_id=first.pk, reason="x", origin=ORIGIN)
        services.message_hide(actor=admin, message_id=first.pk, reason="含不当言语", origin=ORIGIN)
        assert AuditEvent.objects.filter(action="contact.message_hide", target_id=str(first.pk)).exists()
        login_as(client, "head")
        page = client.get(f"/space/messages/{thread.pk}/").content.decode()
        assert "此消息已被学校管理员隐藏" in page and "孩子今天咳嗽" not in page


def test_pages(client, family):
    login_as(client, "parent")
    page = client.get("/space/messages/").content.decode()
    assert "发起沟通" in page
    value = next(p.value for p in selectors.partners(actor=family.accounts["parent"]))
    r = client.post("/space/messages/", {"partner": value})
    assert r.status_code == 302
    url = r["Location"]
    assert client.post(url, {"body": "  "}).status_code == 400
    assert client.post(url, {"body": "老师好"}).status_code == 302
    assert client.post("/space/messages/", {"partner": "1:1"}).status_code == 403
    login_as(client, "nobody")
    assert client.get(url).status_code == 404
    with pytest.raises(NotFound):
        selectors.thread_get(actor=family.accounts["inspector"], thread_id=int(url.rstrip("/").split("/")[-1]))

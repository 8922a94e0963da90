"""网络学习空间 homes: who sees which space (personal, class, pupil, school, region), the panel hook, the e-mail
channel (sending, opt-out, quiet hours) and the four space indicators on the hand-made region."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from zhijiao.access.roles import Role
from zhijiao.analytics.engine import engine
from zhijiao.analytics.models import EarlyWarning, IndicatorValue, WarningKind
from zhijiao.analytics.services import snapshot_take
from zhijiao.analytics.space_indicators import space_indicators_update
from zhijiao.analytics.warnings import warnings_evaluate
from zhijiao.audit.models import AuditEvent
from zhijiao.audit.services import Origin
from zhijiao.core import space_panels
from zhijiao.core.models import OutboxMessage
from zhijiao.core.outbox import deliver_due
from zhijiao.core.space_panels import Panel, PanelItem, SpaceContext
from zhijiao.identity.services import account_create, role_grant
from zhijiao.spaces import services
from zhijiao.spaces.homes.models import SchoolPage, SpaceVisit
from zhijiao.spaces.homes.services import channel_optouts_set, school_page_save
from zhijiao.spaces.research.models import Activity, Participation, ResearchGroup
from zhijiao.testing import PASSWORD, login_as

BEIJING = ZoneInfo("Asia/Shanghai")


# ------------------------------------------------------------------ personal homes
def test_teacher_home(client, region, class_notice):
    login_as(client, "teacher")
    page = client.get("/space/").content.decode()
    assert "教师空间" in page and f'href="/space/class/{region.classes["A1"].pk}/"' in page
    assert "继续教育学时" in page and "教研动态" in page and "我发布的作品" in page
    assert "我发出的通知" in page and "春游通知" in page
    assert SpaceVisit.objects.filter(account=region.accounts["teacher"]).count() == 1
    client.get("/space/")
    assert SpaceVisit.objects.filter(account=region.accounts["teacher"]).count() == 1  # once a day


def test_pupil_home(client, region):
    login_as(client, "student")
    page = client.get("/space/").content.decode()
    assert "学生空间" in page and f'href="/space/class/{region.classes["A1"].pk}/"' in page
    assert "学习资源" in page  # the spaces' own panel, through the core hook
    assert "家校沟通" not in page  # messages run between adults


def test_guardian_home_each_child(client, region, class_notice):
    login_as(client, "parent")
    page = client.get("/space/").content.decode()
    assert "家长空间" in page and "春游通知" in page
    assert "学生s1" in page and "学生s4" in page  # both children, their own names unmasked for their guardian
    assert page.count("<h2>请假</h2>") == 2 and page.count("<h2>家校沟通</h2>") == 2
    assert f'href="/space/pupils/{region.students["s1"].pk}/"' in page


def test_admin_keeps_notice_home(client, region):
    login_as(client, "principal")
    page = client.get("/space/").content.decode()
    assert "我的通知" in page and "教师空间" not in page


# ------------------------------------------------------------------ the panel hook
def test_panel_hook_registers_and_survives_a_broken_provider(client, region):
    def homework(actor, context: SpaceContext) -> Panel:
        return Panel("homework", "今日作业", [PanelItem("口算练习", "", "数学", "未完成", "orange")], order=10)

    def broken(actor, context):
        raise RuntimeError("boom")

    space_panels.space_panel_register("test.homework", homework, kinds=("pupil",), order=10)
    space_panels.space_panel_register("test.broken", broken, kinds=("pupil",))
    try:
        assert space_panels.space_panel_keys("pupil")[0] == "test.homework"
        login_as(client, "student")
        page = client.get("/space/").content.decode()
        assert "今日作业" in page and "口算练习" in page and "未完成" in page
        with pytest.raises(ValueError):
            space_panels.space_panel_register("test.bad", homework, kinds=("martian",))
    finally:
        space_panels._providers.pop("test.homework", None)
        space_panels._providers.pop("test.broken", None)


# ------------------------------------------------------------------ class space
@pytest.mark.parametrize(
    ("who", "status"),
    [("teacher", 200), ("student", 200), ("parent", 200), ("head", 404), ("principal", 404), ("bureau", 404),
     ("inspector", 404), ("nobody", 404)],
)  # fmt: skip
def test_class_space_visibility(client, region, class_notice, who, status):
    login_as(client, who)
    r = client.get(f"/space/class/{region.classes['A1'].pk}/")
    assert r.status_code == status
    if status == 200:
        page = r.content.decode()
        assert "春游通知" in page and "王老师" in page
        # pupils' names: whole for the class's teachers, masked for pupils and guardians
        assert ("学生s2" in page) == (who == "teacher")
        assert ("学***" in page) == (who != "teacher")


def test_class_space_needs_sign_in(client, region):
    r = client.get(f"/space/class/{region.classes['A1'].pk}/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


# ------------------------------------------------------------------ a pupil's space
def test_pupil_space_visibility(client, region):
    classmate = account_create(username="s2", password=PASSWORD, person=region.persons["s2"])
    role_grant(account=classmate, role=Role.STUDENT, school_class=region.classes["A1"])
    other = account_create(username="s3", password=PASSWORD, person=region.persons["s3"])
    role_grant(account=other, role=Role.STUDENT, school_class=region.classes["A2"])
    url = f"/space/pupils/{region.students['s1'].pk}/"
    for who, status in (
        ("student", 200), ("parent", 200), ("teacher", 200), ("s2", 200),
        ("s3", 404), ("head", 404), ("principal", 404), ("bureau", 404), ("nobody", 404),
    ):  # fmt: skip
        login_as(client, who)
        assert client.get(url).status_code == status, who
    assert client.get("/space/pupils/999999/").status_code == 404


# ------------------------------------------------------------------ school and region
def test_school_public_face(client, region, class_notice):
    school = region.schools["A"]
    url = f"/space/school/{school.pk}/"
    assert client.get(url).status_code == 404  # not public yet
    login_as(client, "principal")
    preview = client.get(url).content.decode()
    assert "尚未公开" in preview and "编辑学校空间" in preview
    school_page_save(
        actor=region.accounts["principal"], school=school, intro="百年老校，书香校园。", motto="勤学善思",
        is_public=True, origin=Origin(channel="web"),
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="spaces.school_page_save").count() == 1
    services.notice_send(
        actor=region.accounts["principal"], title="校园开放日", body="欢迎家长参观。", audience_kind="school",
        node_id=school.pk, recipients="guardians", is_public=True,
    )  # fmt: skip
    client.logout()
    page = client.get(url).content.decode()
    assert "东西湖区第一小学" in page and "百年老校" in page and "勤学善思" in page and "校园开放日" in page
    assert "春游通知" not in page  # a class notice is never public
    for personal in ("王老师", "李老师", "张校长", "学生s1", "陈妈妈", "13800001111"):
        assert personal not in page
    region_page = client.get("/space/region/420112/").content.decode()
    assert "东西湖区第一小学" in region_page and "东西湖区第二小学" not in region_page
    assert client.get("/space/region/999999/").status_code == 404


def test_class_notice_cannot_be_public(region):
    notice = services.notice_send(
        actor=region.accounts["teacher"], title="x", body="y", audience_kind="class",
        node_id=region.classes["A1"].pk, is_public=True,
    )  # fmt: skip
    assert notice.is_public is False


def test_school_edit(client, region):
    school = region.schools["A"]
    login_as(client, "teacher")
    assert client.get(f"/space/school/{school.pk}/edit/").status_code == 404
    login_as(client, "principal")
    bad = client.post(f"/space/school/{school.pk}/edit/", {"intro": "长" * 3001, "motto": ""})
    assert bad.status_code == 400 and "学校简介不能超过" in bad.content.decode()
    assert not SchoolPage.objects.filter(school=school).exists()  # nothing written
    ok = client.post(f"/space/school/{school.pk}/edit/", {"intro": "简介", "motto": "", "is_public": "on"})
    assert ok.status_code == 302 and SchoolPage.objects.get(school=school).is_public


# ------------------------------------------------------------------ e-mail channel
@pytest.fixture
def email_only(settings):
    settings.ZHIJIAO_NOTICE_CHANNELS = ["inapp", "email"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_email_channel_sends(region, class_notice, email_only, django_capture_on_commit_callbacks, monkeypatch):
    parent = region.accounts["parent"]
    parent.email = "chen@example.cn"
    parent.save(update_fields=["email"])
    noon = datetime(2026, 11, 20, 12, 0, tzinfo=BEIJING)
    monkeypatch.setattr(timezone, "now", lambda: noon)
    monkeypatch.setattr(HUEY, "immediate", True)  # the sending job runs inline
    with django_capture_on_commit_callbacks(execute=True):
        reached = services.notice_remind(actor=region.accounts["teacher"], notice_id=class_notice.pk)
    assert reached["邮件"] == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["chen@example.cn"] and "春游通知" in mail.outbox[0].subject
    row = OutboxMessage.objects.get(channel="email")
    assert row.sent_at is not None and row.error == ""
    assert deliver_due(channel="email", now=noon) == (0, 0)  # never twice


def test_email_opt_out(region, class_notice, email_only):
    parent = region.accounts["parent"]
    parent.email = "chen@example.cn"
    parent.save(update_fields=["email"])
    channel_optouts_set(actor=parent, wanted={"sms"})
    reached = services.notice_remind(actor=region.accounts["teacher"], notice_id=class_notice.pk)
    assert reached["邮件"] == 0 and not OutboxMessage.objects.exists()


def test_email_held_in_quiet_hours(region, class_notice, email_only, monkeypatch):
    parent = region.accounts["parent"]
    parent.email = "chen@example.cn"
    parent.save(update_fields=["email"])
    late = datetime(2026, 11, 20, 22, 30, tzinfo=BEIJING)
    monkeypatch.setattr(timezone, "now", lambda: late)
    services.notice_remind(actor=region.accounts["teacher"], notice_id=class_notice.pk)
    row = OutboxMessage.objects.get(channel="email")
    assert timezone.localtime(row.send_after, BEIJING) == datetime(2026, 11, 21, 7, 0, tzinfo=BEIJING)
    assert deliver_due(channel="email", now=late) == (0, 0) and not mail.outbox
    assert deliver_due(channel="email", now=row.send_after + timedelta(minutes=1)) == (1, 0) and len(mail.outbox) == 1


def test_settings_page(client, region):
    login_as(client, "parent")
    assert "企业微信" in client.get("/space/settings/").content.decode()
    client.post("/space/settings/", {"channel": ["email"]})
    page = client.get("/space/settings/").content.decode()
    assert 'value="email" checked' in page and 'value="sms" checked' not in page


# ------------------------------------------------------------------ indicators
@pytest.fixture
def warehouse(settings, tmp_path):
    settings.ZHIJIAO_WAREHOUSE_DIR = tmp_path / "warehouse"
    settings.ZHIJIAO_WAREHOUSE_KEEP = 0
    engine().forget()
    yield
    engine().forget()


def test_space_indicators(region, class_notice, warehouse):
    today = timezone.localdate()
    SpaceVisit.objects.create(account=region.accounts["teacher"], day=today)
    SpaceVisit.objects.create(account=region.accounts["parent"], day=today - timedelta(days=3))
    SpaceVisit.objects.create(account=region.accounts["head"], day=today - timedelta(days=45))  # too long ago
    group = ResearchGroup.objects.create(
        name="数学组", kind="school", school=region.schools["A"], division_id="420112",
        leader=region.accounts["teacher"], created_by=region.accounts["teacher"],
    )  # fmt: skip
    activity = Activity.objects.create(
        group=group, kind="seminar", title="研讨", starts_at=timezone.now(), created_by=region.accounts["teacher"]
    )
    Participation.objects.create(activity=activity, account=region.accounts["teacher"], year=today.year)
    snapshot = snapshot_take(day=today)
    assert snapshot.rows["space_usage"] >= 4
    assert space_indicators_update(snapshot) > 0
    values = {
        v.indicator.code: (v.value, v.headcount)
        for v in IndicatorValue.objects.filter(school=region.schools["A"]).select_related("indicator")
    }
    # school A counts teacher, head (专任教师), the pupil s1 with an account and s1's mother: 2 of 4 active
    assert values["space-active"] == (50.0, 4)
    assert values["space-research"] == (50.0, 2)
    assert values["space-hours"] == (0.0, 2)
    assert values["space-notice-read"] == (0.0, 1)  # the outing notice, unread
    warnings_evaluate(year=today.year)
    flagged = set(
        EarlyWarning.objects.filter(kind=WarningKind.INDICATOR, school=region.schools["A"]).values_list(
            "subject", flat=True
        )
    )
    assert {"space-active", "space-research", "space-hours", "space-notice-read"} <= flagged

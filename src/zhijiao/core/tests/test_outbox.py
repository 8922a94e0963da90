"""The platform's one outbox (core.outbox): senders per channel, quiet-hours holds, never sending twice, and the
data migrations that moved 招生's texts and the notice reminders into it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from zhijiao.core import outbox
from zhijiao.core.models import OutboxMessage

pytestmark = pytest.mark.django_db

SENT: list[tuple[str, str]] = []


class Gateway(outbox.Sender):
    """A test SMS gateway: records what it sends; an address ending in 0 is refused."""

    name = "test-gateway"

    def send(self, row: OutboxMessage) -> None:
        if row.address.endswith("0"):
            raise ValueError("号码不存在")
        SENT.append((row.address, row.text))


class DownGateway(outbox.Sender):
    name = "down"

    def send(self, row: OutboxMessage) -> None:
        raise outbox.SenderUnavailable("网关无法连接")


@pytest.fixture(autouse=True)
def _clean(settings):
    SENT.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ZHIJIAO_SMS_SENDER = ""


def test_sms_without_gateway_is_kept_locally():
    row = outbox.send_sms("13800001111", "【智教】你好", "测试", source="tests:1")
    row.refresh_from_db()
    assert row.channel == "sms" and row.sender == "outbox" and row.sent_at is not None and row.error == ""
    assert (row.address, row.purpose, row.source) == ("13800001111", "测试", "tests:1")
    assert outbox.deliver_due(channel="sms") == (0, 0)  # nothing left due


def test_sms_through_a_gateway(settings):
    settings.ZHIJIAO_SMS_SENDER = f"{__name__}.Gateway"
    ok = outbox.send_sms("13800001111", "验证码 123456", "登录验证码")
    bad = outbox.send_sms("13800001110", "验证码 654321", "登录验证码")
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert SENT == [("13800001111", "验证码 123456")]
    assert ok.sender == "test-gateway" and ok.sent_at is not None
    assert bad.sent_at is None and bad.error == "号码不存在"
    assert outbox.deliver_due(channel="sms") == (0, 0)  # a failed row is not retried by itself


def test_gateway_down_leaves_the_row_for_the_drain(settings):
    settings.ZHIJIAO_SMS_SENDER = f"{__name__}.DownGateway"
    row = outbox.send_sms("13800001111", "结果通知", "入学申请")
    row.refresh_from_db()
    assert row.sent_at is None and row.error == ""
    settings.ZHIJIAO_SMS_SENDER = f"{__name__}.Gateway"
    assert outbox.deliver_due(channel="sms") == (1, 0)
    assert SENT == [("13800001111", "结果通知")]


def test_email_held_then_sent_once():
    now = timezone.now()
    later = now + timedelta(hours=8)
    rows = [
        outbox.queue_message(channel="email", address="a@example.cn", text="正文", subject="【智教】标题"),
        outbox.queue_message(channel="email", address="b@example.cn", text="正文", send_after=later),
    ]
    assert outbox.queue_many(rows, deliver=False) == 2
    assert outbox.deliver_due(channel="email", now=now) == (1, 0)
    assert [m.to for m in mail.outbox] == [["a@example.cn"]] and mail.outbox[0].subject == "【智教】标题"
    assert outbox.deliver_due(channel="email", now=now) == (0, 0)  # never twice
    assert outbox.deliver_due(channel="email", now=later) == (1, 0)
    assert OutboxMessage.objects.filter(channel="email", sender="email", sent_at__isnull=False).count() == 2


def test_channel_without_sender_and_the_drain():
    now = timezone.now()
    outbox.queue_many(
        [
            outbox.queue_message(channel="wechat", address="zhang", text="提醒"),
            outbox.queue_message(channel="email", address="c@example.cn", text="提醒"),
            outbox.queue_message(
                channel="sms", address="13800001111", text="提醒", send_after=now + timedelta(hours=1)
            ),
        ],
        deliver=False,
    )
    assert OutboxMessage.objects.get(channel="wechat").sender == "outbox"  # no sender: kept as it is written
    assert outbox.deliver_all_due(now=now) == {"email": (1, 0)}
    assert OutboxMessage.objects.get(channel="sms").sent_at is None  # held over quiet hours
    assert outbox.deliver_all_due(now=now + timedelta(hours=2)) == {"sms": (1, 0)}
    assert OutboxMessage.objects.get(channel="sms").sender == "outbox"


def test_queue_cuts_to_the_columns():
    row = outbox.queue_message(channel="sms", address="1" * 200, text="长" * 900, purpose="用" * 40)
    assert (len(row.address), len(row.text), len(row.purpose)) == (128, 500, 32)


@pytest.mark.slow  # walks the migration graph back and forth: about a minute and a half
@pytest.mark.django_db(transaction=True)
def test_data_migrations_move_every_row():
    """Old rows in services.SmsMessage and spaces.OutboxMessage reach core.OutboxMessage with their state."""
    before = [("core", "0001_initial"), ("services", "0003_adm_admission"), ("spaces", "0005_space_space_homes")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor = MigrationExecutor(connection)  # the models as they stand now: the other apps at their latest
    old = executor.loader.project_state(list(executor.loader.applied_migrations)).apps
    account = old.get_model("identity", "Account").objects.create(username="chen", password="!")
    division, _ = old.get_model("org", "Division").objects.get_or_create(
        code="420112", defaults={"name": "东西湖区", "level": 3}
    )
    notice = old.get_model("spaces", "Notice").objects.create(
        title="春游通知", body="内容", sender=account, audience_kind="division", division=division, recipients="staff"
    )
    sent = timezone.now() - timedelta(days=1)
    old_outbox = old.get_model("spaces", "OutboxMessage")
    old_outbox.objects.create(
        channel="email", notice=notice, account=account, address="a@example.cn", text="邮件", sent_at=sent
    )
    old_outbox.objects.create(
        channel="email", notice=notice, account=account, address="b@example.cn", text="邮件", error="拒收"
    )
    old_outbox.objects.create(
        channel="sms", notice=notice, account=account, address="13800001111", text="短信", send_after=sent
    )
    sms = old.get_model("services", "SmsMessage")
    sms.objects.create(phone="13911112222", text="验证码 123456", purpose="登录验证码")
    sms.objects.create(phone="13911112223", text="已录取", purpose="入学申请", sender="gw")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = {r.address: r for r in OutboxMessage.objects.all()}
    assert len(rows) == 5
    a, b, s = rows["a@example.cn"], rows["b@example.cn"], rows["13800001111"]
    assert a.source == f"spaces.notice:{notice.pk}" and a.subject == "【智教】未读通知提醒：春游通知"
    assert a.sent_at == sent and a.sender == "email" and b.error == "拒收" and b.sent_at is None
    assert s.channel == "sms" and s.send_after == sent and s.sent_at is None and s.subject == ""
    code, result = rows["13911112222"], rows["13911112223"]
    assert code.source == result.source == "services.admission" and code.purpose == "登录验证码"
    assert code.sender == "outbox" and result.sender == "gw" and code.sent_at == code.created_at
    assert OutboxMessage.objects.filter(channel="sms", source="services.admission").count() == 2

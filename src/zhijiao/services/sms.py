"""Text messages (短信) of 招生: sign-in codes and result notices.

Every text goes through the platform's outbox (``core.outbox.send_sms``: written to ``core.OutboxMessage`` with
source ``services.admission``, then handed to the gateway of ``ZHIJIAO_SMS_SENDER`` or kept there only), so the
operator can always see what went out. Sign-in codes: ``code_send`` keeps only a digest, for five minutes and five
tries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from zhijiao.core.models import OutboxMessage
from zhijiao.core.outbox import send_sms
from zhijiao.services.models_admission import SmsCode

CODE_LIFE = timedelta(minutes=5)
CODE_TRIES = 5
CODE_GAP = timedelta(seconds=60)  # one new code per number per minute
SOURCE = "services.admission"
CODE_PURPOSE = "登录验证码"


def sms_send(phone: str, text: str, purpose: str) -> OutboxMessage:
    """Send one text of 招生 now (through the outbox)."""
    return send_sms(phone, text, purpose, source=SOURCE)


def sms_outbox() -> QuerySet[OutboxMessage]:
    """招生's texts in the outbox, newest first (the 短信发件箱 page, the demo's shown code)."""
    return OutboxMessage.objects.filter(channel="sms", source=SOURCE)


def _digest(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def code_send(phone: str, *, now: datetime | None = None) -> bool:
    """Send a 6-digit sign-in code to ``phone``; False (nothing sent) when one was sent less than a minute ago."""
    now = now or timezone.now()
    if SmsCode.objects.filter(phone=phone, created_at__gt=now - CODE_GAP).exists():
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    SmsCode.objects.create(phone=phone, digest=_digest(phone, code), expires_at=now + CODE_LIFE, created_at=now)
    sms_send(phone, f"【智教】您的登录验证码是 {code}，5分钟内有效。请勿告诉他人。", CODE_PURPOSE)
    return True


def code_check(phone: str, code: str, *, now: datetime | None = None) -> bool:
    """Whether ``code`` is the live code of ``phone`` (it is then used up)."""
    now = now or timezone.now()
    row = SmsCode.objects.filter(phone=phone, used=False, expires_at__gt=now).order_by("-created_at").first()
    if row is None or row.tries >= CODE_TRIES:
        return False
    if not hmac.compare_digest(row.digest, _digest(phone, (code or "").strip())):
        SmsCode.objects.filter(pk=row.pk).update(tries=row.tries + 1)
        return False
    SmsCode.objects.filter(pk=row.pk).update(used=True)
    return True

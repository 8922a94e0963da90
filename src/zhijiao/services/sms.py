"""Text messages (短信): a pluggable sender and the local outbox.

``sender()`` returns the configured :class:`Sender` (``ZHIJIAO_SMS_SENDER``, a dotted path; default the outbox).
Every sender writes the message to the outbox table first (``SmsMessage``), so the operator can always see what
went out; a gateway sender then hands it on. The demo and tests read the outbox. Sign-in codes: ``code_send`` keeps
only a digest, for five minutes and five tries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from zhijiao.services.models_admission import SmsCode, SmsMessage

CODE_LIFE = timedelta(minutes=5)
CODE_TRIES = 5
CODE_GAP = timedelta(seconds=60)  # one new code per number per minute


class Sender(Protocol):
    name: str

    def send(self, *, phone: str, text: str, purpose: str) -> SmsMessage: ...


class OutboxSender:
    """Writes to the outbox and nothing else (the demo, tests, and sites without a gateway)."""

    name = "outbox"

    def send(self, *, phone: str, text: str, purpose: str) -> SmsMessage:
        return SmsMessage.objects.create(phone=phone, text=text[:500], purpose=purpose[:32], sender=self.name)


def sender() -> Sender:
    path = getattr(settings, "ZHIJIAO_SMS_SENDER", "")
    return import_string(path)() if path else OutboxSender()


def _digest(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def code_send(phone: str, *, now: datetime | None = None) -> bool:
    """Send a 6-digit sign-in code to ``phone``; False (nothing sent) when one was sent less than a minute ago."""
    now = now or timezone.now()
    if SmsCode.objects.filter(phone=phone, created_at__gt=now - CODE_GAP).exists():
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    SmsCode.objects.create(phone=phone, digest=_digest(phone, code), expires_at=now + CODE_LIFE, created_at=now)
    sender().send(
        phone=phone, text=f"【智教】您的登录验证码是 {code}，5分钟内有效。请勿告诉他人。", purpose="登录验证码"
    )
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

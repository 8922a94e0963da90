"""Two-factor sign-in (TOTP) for administrators.

Who counts as an administrator is decided here once (:func:`is_admin_account`): every account that holds an
administrative role, plus superusers. Such an account's session counts as signed in only once django-otp has
marked it verified (``request.user.is_verified()``); :class:`zhijiao.identity.middleware.AdminTwoFactorMiddleware`
holds every other request at the second step or at enrolment.

督导 (inspector) is *not* an administrator: the role is read-only and sees personal data masked, so its holders
(often retired teachers visiting schools) sign in with their password alone.
"""

from __future__ import annotations

import time
from base64 import b32decode, b32encode
from binascii import unhexlify
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import qrcode
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from qrcode.image.svg import SvgPathImage

from zhijiao.access.roles import ADMIN_ROLES
from zhijiao.access.selectors import account_holds
from zhijiao.identity.models import Account

# The name authenticator apps show for a Zhijiao account.
ISSUER = "智教"
DEVICE_NAME = "身份验证器"
_DIGITS = 6


def is_admin_account(account: Any) -> bool:
    """Does this account hold an administrative role (or is it a superuser)? Administrators need TOTP."""
    if not isinstance(account, Account) or not account.is_authenticated:
        return False
    if account.is_superuser:
        return True
    cached = getattr(account, "_zhijiao_scope", None)  # a request that already built the scope reuses it
    if cached is not None:
        return bool(cached.roles & ADMIN_ROLES)
    return account_holds(account, ADMIN_ROLES)


def totp_device_get(account: Account) -> TOTPDevice | None:
    """The account's confirmed TOTP device, or None when it has not enrolled."""
    return TOTPDevice.objects.filter(user=account, confirmed=True).order_by("pk").first()


def totp_secret(device: TOTPDevice) -> str:
    """The device key as the base32 secret authenticator apps take (no padding)."""
    return b32encode(device.bin_key).decode().rstrip("=")


def totp_key_from_secret(secret: str) -> str:
    """A base32 secret (as printed for the demo, any case, padding optional) as the hex key TOTPDevice stores."""
    cleaned = secret.strip().replace(" ", "").upper()
    return b32decode(cleaned + "=" * (-len(cleaned) % 8)).hex()


def totp_checker(key: str) -> TOTP:
    """A TOTP checker for a hex key with the device defaults (30-second steps, 6 digits), at the current time."""
    checker = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    checker.time = time.time()
    return checker


def token_is_valid(checker: TOTP, token: str) -> bool:
    """Does ``token`` match the checker's key now (one step of clock skew either way)?"""
    token = token.strip()
    return len(token) == _DIGITS and token.isdigit() and checker.verify(int(token), tolerance=1)


def totp_code(secret: str, at: float | None = None) -> str:
    """The current code for a base32 secret, as an authenticator app shows it (the demo's scripts, tests)."""
    checker = TOTP(unhexlify(totp_key_from_secret(secret)), step=30, t0=0, digits=6, drift=0)
    checker.time = time.time() if at is None else at
    return f"{checker.token():06d}"


def secret_groups(secret: str) -> str:
    """The base32 secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def otpauth_url(account: Account, key: str) -> str:
    """The otpauth:// URL authenticator apps read from the QR code."""
    secret = b32encode(unhexlify(key)).decode().rstrip("=")
    label = quote(f"{ISSUER}:{account.username}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(ISSUER)}&algorithm=SHA1&digits=6&period=30"


def qr_svg(data: str) -> str:
    """The QR code for ``data`` as inline SVG, drawn on the server (no script, no CDN)."""
    image = qrcode.make(data, image_factory=SvgPathImage, box_size=10, border=2)
    return image.to_string(encoding="unicode")


# ------------------------------------------------------------------ the sign-in between password and code

PENDING_KEY = "zhijiao_2fa_pending"
PENDING_SECONDS = 5 * 60


@dataclass
class Pending:
    """An administrator who gave the right password and still owes the code (or enrolment). No password kept."""

    account: Account
    backend: str
    next_url: str
    enrol_key: str


def pending_start(request: HttpRequest, account: Account, *, backend: str, next_url: str) -> None:
    """Remember, for five minutes, whose password was right; a fresh session id guards against fixation."""
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "account": account.pk,
        "backend": backend,
        "next": next_url,
        "until": int(time.time()) + PENDING_SECONDS,
        "enrol_key": "",
    }


def pending_get(request: HttpRequest) -> Pending | None:
    """The administrator waiting at the second step of this session, or None (none, or its five minutes are up)."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if int(data.get("until", 0)) < time.time():
        pending_clear(request)
        return None
    account = Account.objects.filter(pk=int(data.get("account") or 0), is_active=True).first()
    if account is None:
        pending_clear(request)
        return None
    return Pending(account, str(data.get("backend", "")), str(data.get("next", "")), str(data.get("enrol_key", "")))


def pending_enrol_key(request: HttpRequest) -> str:
    """The secret offered to the pending administrator for enrolment, made once and kept until they confirm."""
    data = request.session[PENDING_KEY]
    if not data.get("enrol_key"):
        data["enrol_key"] = random_hex(20)
        request.session.modified = True
    return str(data["enrol_key"])


def pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


def pending_expired(request: HttpRequest) -> bool:
    """Is there a pending sign-in in the session whose five minutes are over?"""
    data = request.session.get(PENDING_KEY)
    return isinstance(data, dict) and int(data.get("until", 0)) < time.time()


# ------------------------------------------------------------------ administrators' password age


def admin_password_expired(account: Any) -> bool:
    """Is this an administrator whose password is older than ``ZHIJIAO_ADMIN_PASSWORD_DAYS``?

    An unknown age (no ``password_changed_at``, e.g. an account from before the field) counts as expired.
    Accounts without a usable password (SSO-only, not yet activated) have nothing to expire.
    """
    if not is_admin_account(account) or not account.has_usable_password():
        return False
    changed = account.password_changed_at
    return changed is None or timezone.now() - changed > timedelta(days=settings.ZHIJIAO_ADMIN_PASSWORD_DAYS)

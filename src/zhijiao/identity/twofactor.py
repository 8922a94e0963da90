"""Two-factor sign-in (TOTP) for administrators.

Who counts as an administrator is decided here once (:func:`is_admin_account`): every account that holds an
administrative role, plus superusers. Such an account's session counts as signed in only once django-otp has
marked it verified (``request.user.is_verified()``); :class:`zhijiao.identity.middleware.AdminTwoFactorMiddleware`
holds every other request at the second step or at enrolment.

督导 (inspector) is *not* an administrator: the role is read-only and sees personal data masked, so its holders
(often retired teachers visiting schools) sign in with their password alone.
"""

from __future__ import annotations

from base64 import b32decode, b32encode
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from zhijiao.identity.models import Account, Role, RoleGrant

ADMIN_ROLES: frozenset[str] = frozenset(
    {
        Role.PLATFORM_ADMIN,
        Role.REGION_ADMIN,
        Role.SCHOOL_ADMIN,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
)
# The name authenticator apps show for a Zhijiao account.
ISSUER = "智教"
DEVICE_NAME = "身份验证器"


def is_admin_account(account: Any) -> bool:
    """Does this account hold an administrative role (or is it a superuser)? Administrators need TOTP."""
    if not isinstance(account, Account) or not account.is_authenticated:
        return False
    if account.is_superuser:
        return True
    cached = getattr(account, "_zhijiao_scope", None)  # a request that already built the scope reuses it
    if cached is not None:
        return bool(cached.roles & ADMIN_ROLES)
    return RoleGrant.objects.filter(account=account, role__in=ADMIN_ROLES).exists()


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

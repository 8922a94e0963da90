"""Administrators sign in with a TOTP code after their password."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhijiao.identity.twofactor import is_admin_account
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db


def test_admin_roles(region):
    admins = {"admin", "bureau", "city", "principal"}
    for username, account in region.accounts.items():
        assert is_admin_account(account) is (username in admins), username


def test_login_as_marks_an_admin_session_verified(client, region):
    login_as(client, "bureau")
    assert TOTPDevice.objects.filter(user=region.accounts["bureau"], confirmed=True).count() == 1
    assert client.session["otp_device_id"]
    assert client.get("/").status_code == 200
    login_as(client, region.accounts["bureau"])  # a second time reuses the device
    assert TOTPDevice.objects.filter(user=region.accounts["bureau"]).count() == 1


def test_login_as_a_teacher_enrols_nothing(client, region):
    login_as(client, region.accounts["teacher"])
    assert not TOTPDevice.objects.filter(user=region.accounts["teacher"]).exists()
    assert "otp_device_id" not in client.session

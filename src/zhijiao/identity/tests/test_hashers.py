"""Hashers: OWASP argon2id for people (older hashes verify and are upgraded), salted SHA-256 for client secrets."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher, make_password
from oauth2_provider.models import Application

from zhijiao.identity.hashers import ClientSecretHasher, OwaspArgon2PasswordHasher


def test_people_get_owasp_argon2id(settings):
    settings.PASSWORD_HASHERS = [
        "zhijiao.identity.hashers.OwaspArgon2PasswordHasher",
        "zhijiao.identity.hashers.ClientSecretHasher",
    ]
    encoded = make_password("Qiu#2026shan")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("Qiu#2026shan", encoded)
    assert not check_password("Qiu#2026shaN", encoded)


def test_a_hash_made_with_djangos_defaults_verifies_and_is_upgraded(settings):
    settings.PASSWORD_HASHERS = ["zhijiao.identity.hashers.OwaspArgon2PasswordHasher"]
    old = Argon2PasswordHasher().encode("Qiu#2026shan", Argon2PasswordHasher().salt())
    assert "m=102400" in old
    upgraded: list[str] = []
    assert check_password("Qiu#2026shan", old, setter=lambda raw: upgraded.append(make_password(raw)))
    assert upgraded and "m=19456,t=2,p=1" in upgraded[0]
    assert OwaspArgon2PasswordHasher().must_update(old)


def test_client_secret_hash_is_salted_and_checked():
    hasher = ClientSecretHasher()
    a = hasher.encode("s" * 128, hasher.salt())
    b = hasher.encode("s" * 128, hasher.salt())
    assert a != b and a.startswith("zj_secret_sha256$")
    assert hasher.verify("s" * 128, a) and not hasher.verify("s" * 127 + "t", a)
    assert "s" * 128 not in a


@pytest.mark.django_db
def test_dot_stores_client_secrets_with_the_fast_hasher():
    app = Application.objects.create(
        name="作业", client_type="confidential", authorization_grant_type="authorization-code", client_secret="x" * 128
    )
    app.refresh_from_db()
    assert identify_hasher(app.client_secret).algorithm == "zj_secret_sha256"
    assert check_password("x" * 128, app.client_secret)

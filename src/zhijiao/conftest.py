from __future__ import annotations

import socket

import pytest

from zhijiao.org.selectors import current_school_year_forget

_real_connect = socket.socket.connect


def _loopback_only(self, address):  # tests talk to nothing but local services (PostgreSQL, Redis)
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
        raise RuntimeError(f"tests may not reach the network ({host})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(autouse=True)
def _own_search_index(settings, tmp_path):
    """Each test searches its own resource index, never one a demo left under ``$ZHIJIAO_HOME``."""
    settings.ZHIJIAO_SEARCH_DIR = tmp_path / "search-index"


@pytest.fixture(autouse=True)
def _own_audit_anchors(settings, tmp_path):
    """Each test anchors the audit chain in its own file: anchors of rolled-back events would not match the next."""
    settings.ZHIJIAO_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"


@pytest.fixture(autouse=True)
def _fresh_school_year_cache():
    current_school_year_forget()
    yield
    current_school_year_forget()


@pytest.fixture
def region(db):
    from zhijiao.testing import build_test_region

    return build_test_region()


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "zhijiao.identity.hashers.OwaspArgon2PasswordHasher",
        "zhijiao.identity.hashers.ClientSecretHasher",
    ]

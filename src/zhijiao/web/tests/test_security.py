"""Security headers: a Content-Security-Policy with a per-response nonce, no framing, no inline handlers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import zhijiao
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db


def test_pages_carry_a_csp_whose_nonce_marks_the_inline_scripts(client, region):
    login_as(client, region.accounts["bureau"])
    response = client.get("/intake/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert scripts, "the import page drives its drop zone with an inline script"
    assert all(f'nonce="{nonce}"' in attrs for attrs in scripts if "application/json" not in attrs)
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY" and response["Referrer-Policy"] == "same-origin"
    assert client.get("/intake/")["Content-Security-Policy"] != policy  # a fresh nonce each time


def test_login_page_has_the_policy_too(client):
    assert "script-src 'self' 'nonce-" in client.get("/accounts/login/")["Content-Security-Policy"]


def test_no_template_uses_inline_event_handlers():
    """The policy refuses them; behaviour belongs in app.js (e.g. data-autosubmit, data-confirm)."""
    root = Path(zhijiao.__file__).parent
    offenders = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("templates/**/*.html")
        for match in re.finditer(r"\son[a-z]+=\"", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

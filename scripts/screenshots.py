"""Click through the main pages as each role in headless Chromium and save screenshots to docs/screenshots/.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --scale district --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots.py [--out docs/screenshots]

Uses Debian's /usr/bin/chromium through Playwright (no browser download).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as r:  # noqa: S310  (loopback)
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def totp_now(secret: str, at: float | None = None) -> str:
    """The 6-digit TOTP code (RFC 6238: SHA-1, 30 s) for a base32 secret, as an authenticator app shows it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


_last_step: dict[str, int] = {}


def fresh_totp(secret: str) -> str:
    """A code not used before in this run: the server refuses a code twice, so wait for the next 30 s if needed."""
    while _last_step.get(secret) == int(time.time() // 30):
        time.sleep(0.5)
    _last_step[secret] = int(time.time() // 30)
    return totp_now(secret)


def demo_totp_secret(username: str) -> str | None:
    """The demo administrator's ``totp_secret`` from ``$ZHIJIAO_HOME/demo-accounts.json`` (None for others)."""
    path = Path(os.environ.get("ZHIJIAO_HOME", "./var")) / "demo-accounts.json"
    if not path.exists():
        return None
    accounts = json.loads(path.read_text(encoding="utf-8"))
    return next((a.get("totp_secret") for a in accounts if a["username"] == username), None)


def login(page: Page, base: str, username: str, password: str, totp_secret: str | None = None) -> None:
    """Sign in through the form; administrators also pass the second step with a code from their TOTP secret
    (given, or read from demo-accounts.json)."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if page.locator("input[name=otp_token]").count():
        secret = totp_secret or demo_totp_secret(username)
        if not secret:
            raise SystemExit(f"{username} needs a TOTP code and no totp_secret is known")
        page.fill("input[name=otp_token]", fresh_totp(secret))
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(os.environ.get("ZHIJIAO_HOME", "./var"))
    accounts = {a["username"]: a for a in json.loads((home / "demo-accounts.json").read_text(encoding="utf-8"))}
    password = next(iter(accounts.values()))["password"]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(port)])  # noqa: S603
    try:
        wait_until_up(base)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")

            page.goto(f"{base}/accounts/login/")
            page.screenshot(path=out / "01-login.png")

            login(page, base, "bureau", password)
            page.screenshot(path=out / "02-home-region-admin.png", full_page=True)
            page.click("table.table tbody tr:first-child td a")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / "03-school.png", full_page=True)
            page.click(".table a[href^='/classes/']")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / "04-class-roster.png", full_page=True)
            page.click(".table a[href^='/students/']")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / "05-student-profile-unmasked.png", full_page=True)
            page.goto(f"{base}/students/")
            page.screenshot(path=out / "06-student-list.png", full_page=True)
            page.goto(f"{base}/classes/?oversized=1")
            page.screenshot(path=out / "07-oversized-classes.png", full_page=True)
            page.goto(f"{base}/staff/")
            page.screenshot(path=out / "08-staff-list.png", full_page=True)

            login(page, base, "teacher", password)
            page.screenshot(path=out / "09-home-teacher.png", full_page=True)
            page.click(".table a[href^='/classes/']")
            page.wait_for_load_state("networkidle")
            page.click(".table a[href^='/students/']")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / "10-student-profile-masked.png", full_page=True)

            login(page, base, "parent", password)
            page.screenshot(path=out / "11-home-parent.png", full_page=True)

            login(page, base, "admin", password)
            page.goto(f"{base}/analytics/")  # 区域概览 became 统计分析 (issue 12)
            page.screenshot(path=out / "12-region-platform.png", full_page=True)
            page.goto(f"{base}/audit/")
            page.screenshot(path=out / "13-audit-log.png", full_page=True)

            phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
            login(phone, base, "principal", password)
            phone.screenshot(path=out / "14-mobile-school-admin.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()

"""Screenshots of administrators' two-step sign-in, authenticator enrolment and the 安全管理 page (32–34).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_security.py [--out docs/screenshots] [--port 8731]

Before shooting it makes what the pages show, as real use would: a new school administrator (no authenticator
yet) for the enrolment page, and two accounts locked out by wrong passwords for the security administrator.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from screenshots import CHROMIUM_ARGS, free_port, login, wait_until_up

NEW_ADMIN = "xinxiao"  # a school administrator appointed today: enrols at first sign-in


def prepare(password: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhijiao.identity.models import Account, Role
    from zhijiao.identity.services import account_create, role_grant
    from zhijiao.org.models import School

    account = Account.objects.filter(username=NEW_ADMIN).first()
    if account is None:
        account = account_create(username=NEW_ADMIN, password=password, display_name="周副校长")
        role_grant(account=account, role=Role.SCHOOL_ADMIN, school=School.objects.order_by("code").first())
    TOTPDevice.objects.filter(user=account).delete()


def fail_logins(base: str, username: str, times: int) -> None:
    """Wrong passwords through the real form (CSRF cookie and all), as a mistyping user would."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    for _ in range(times):
        data = urllib.parse.urlencode({"username": username, "password": "Wrong-pass-1", "csrfmiddlewaretoken": token})
        request = urllib.request.Request(  # noqa: S310  (loopback)
            f"{base}/accounts/login/", data=data.encode(), headers={"Referer": base + "/"}
        )
        with contextlib.suppress(urllib.error.HTTPError):  # 429 once locked
            opener.open(request).read()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(os.environ.get("ZHIJIAO_HOME", "./var"))
    accounts = {a["username"]: a for a in json.loads((home / "demo-accounts.json").read_text(encoding="utf-8"))}
    password = accounts["admin"]["password"]
    prepare(password)

    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(port)])  # noqa: S603
    try:
        wait_until_up(base)
        fail_logins(base, "teacher", 5)
        fail_logins(base, "banzhuren", 5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")

            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", "secadmin")
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / "32-login-otp.png")

            page.context.clear_cookies()
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", NEW_ADMIN)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / "33-otp-enrol.png")

            login(page, base, "secadmin", password, accounts["secadmin"]["totp_secret"])
            page.goto(f"{base}/security/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / "34-security-admin.png", full_page=True)
            page.goto(f"{base}/")
            page.screenshot(path=out / "34b-security-admin-home.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()

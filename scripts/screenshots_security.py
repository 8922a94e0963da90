"""Screenshots of administrators' two-step sign-in, authenticator enrolment and the 安全管理 page (32–34).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_security.py [--out docs/screenshots] [--port 8731]

Before shooting it makes what the pages show, as real use would: a new school administrator (no authenticator
yet) for the enrolment page, and two accounts locked out by wrong passwords for the security administrator.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot, submit_password

NEW_ADMIN = "xinxiao"  # a school administrator appointed today: enrols at first sign-in


def prepare(password: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhijiao.access.roles import Role
    from zhijiao.identity.models import Account
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
    out = out_dir(args.out)
    accounts = demo_accounts()
    password = accounts["admin"]["password"]
    prepare(password)

    with demo_server(args.port) as base:
        fail_logins(base, "teacher", 5)
        fail_logins(base, "banzhuren", 5)
        with chromium() as browser:
            page = new_page(browser)

            submit_password(page, base, "secadmin", password)
            page.screenshot(path=out / "32-login-otp.png")

            submit_password(page, base, NEW_ADMIN, password)
            page.screenshot(path=out / "33-otp-enrol.png")

            login(page, base, "secadmin", password, accounts["secadmin"]["totp_secret"])
            shot(page, out / "34-security-admin.png", url=f"{base}/security/")
            page.goto(f"{base}/")
            page.screenshot(path=out / "34b-security-admin-home.png", full_page=True)
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()

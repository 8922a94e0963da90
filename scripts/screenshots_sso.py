"""Single sign-on screenshots: Zhijiao's consent page for the sample app, and the sample app showing the claims.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_sso.py [--out docs/screenshots] [--user teacher]

Starts ``zhijiao serve`` and ``zhijiao demo-rp`` on free ports, signs in to the sample app in headless Chromium
(Debian's /usr/bin/chromium through Playwright). The consent page shows only the first time an account signs in to
the app (the answer is remembered), so use a fresh demo home or another ``--user``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from playwright.sync_api import expect
from shots_common import (  # this folder's helpers (scripts/ is on sys.path)
    chromium,
    demo_accounts,
    free_port,
    new_page,
    out_dir,
    wait_until_up,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--user", default="teacher")
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    password = accounts[args.user]["password"]

    port, rp_port = free_port(), free_port()
    base, rp = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{rp_port}"
    command = [sys.executable, "-m", "zhijiao.cli"]
    server = subprocess.Popen([*command, "serve", "--port", str(port)])  # noqa: S603
    sample = subprocess.Popen([*command, "demo-rp", "--port", str(rp_port), "--issuer", base])  # noqa: S603
    try:
        wait_until_up(base)
        wait_until_up(rp)
        with chromium() as browser:
            page = new_page(browser, 1280, 860)
            page.goto(f"{rp}/")
            page.get_by_role("link", name="使用智教账号登录").click()
            page.fill("input[name=username]", args.user)
            page.fill("input[name=password]", password)
            page.press("input[name=password]", "Enter")
            page.wait_for_load_state("networkidle")
            if page.locator("button[name=allow]").count():
                page.screenshot(path=out / "45-consent.png", full_page=True)
                page.click("button[name=allow]")
            else:
                print(f"{args.user} had already agreed: no consent page (45-consent.png not taken)", file=sys.stderr)
            expect(page.locator("table.claims").first).to_be_visible()
            page.screenshot(path=out / "44-rp-claims.png", full_page=True)
    finally:
        sample.terminate()
        server.terminate()
        sample.wait(timeout=30)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

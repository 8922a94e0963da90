"""Single sign-on screenshots: Zhijiao's consent page for the sample app, and the sample app showing the claims.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_sso.py [--out docs/screenshots] [--user teacher]

Starts ``zhijiao serve`` and ``zhijiao demo-rp`` on free ports, signs in to the sample app in headless Chromium
(Debian's /usr/bin/chromium through Playwright). The consent page shows only the first time an account signs in to
the app (the answer is remembered), so use a fresh demo home or another ``--user``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright
from screenshots import CHROMIUM_ARGS, free_port, wait_until_up  # this folder's helpers (scripts/ is on sys.path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--user", default="teacher")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(os.environ.get("ZHIJIAO_HOME", "./var"))
    accounts = {a["username"]: a for a in json.loads((home / "demo-accounts.json").read_text(encoding="utf-8"))}
    password = accounts[args.user]["password"]

    port, rp_port = free_port(), free_port()
    base, rp = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{rp_port}"
    command = [sys.executable, "-m", "zhijiao.cli"]
    server = subprocess.Popen([*command, "serve", "--port", str(port)])  # noqa: S603
    sample = subprocess.Popen([*command, "demo-rp", "--port", str(rp_port), "--issuer", base])  # noqa: S603
    try:
        wait_until_up(base)
        wait_until_up(rp)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN")
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
            browser.close()
    finally:
        sample.terminate()
        server.terminate()
        sample.wait(timeout=30)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

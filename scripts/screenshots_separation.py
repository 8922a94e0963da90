"""Screenshots of 三员分立 on 账号管理 (issue 12): what a 系统管理员 sees on a teacher's account, and a bureau on
the 安全管理员's — both may look, neither may take the account over.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_separation.py [--out docs/screenshots] [--port 8110]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from screenshots import CHROMIUM_ARGS, free_port, login, wait_until_up


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

    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(port)])  # noqa: S603
    try:
        wait_until_up(base)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            login(page, base, "sysadmin", password, accounts["sysadmin"]["totp_secret"])
            page.goto(f"{base}/accounts/admin/teacher/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / "access-sod-sysadmin-on-teacher.png", full_page=True)
            login(page, base, "bureau", password, accounts["bureau"]["totp_secret"])
            page.goto(f"{base}/accounts/admin/secadmin/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / "access-sod-bureau-on-secadmin.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()

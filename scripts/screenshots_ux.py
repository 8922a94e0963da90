"""Screenshots of the pages a new user stumbled on (issue 12, "first-week stumbles"), for before/after comparison.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_ux.py --tag after [--out docs/screenshots]

Writes docs/screenshots/73-<tag>-<page>.png: analytics breadcrumbs (region administrator, principal), the audit log
(auditor), the data catalogue, an account's grants (system administrator), the activation-code page (principal),
the student home and the student's app portal.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from screenshots import CHROMIUM_ARGS, free_port, login


def wait_until_up(base: str, seconds: float = 120) -> None:
    """Like screenshots.wait_until_up, with room for a slow start on a busy machine."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as r:  # noqa: S310  (loopback)
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--tag", default="after")
    parser.add_argument("--only", nargs="*", default=[], help="save only these pages (names as in the file names)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(os.environ.get("ZHIJIAO_HOME", "./var"))
    accounts = {a["username"]: a for a in json.loads((home / "demo-accounts.json").read_text(encoding="utf-8"))}
    password = next(iter(accounts.values()))["password"]

    def shot(page, name: str, *, full: bool = True) -> None:
        if args.only and name not in args.only:
            return
        page.wait_for_load_state("networkidle")
        page.screenshot(path=out / f"73-{args.tag}-{name}.png", full_page=full)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(port)])  # noqa: S603
    try:
        wait_until_up(base)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")

            login(page, base, "bureau", password)
            page.goto(f"{base}/analytics/")
            shot(page, "analytics-bureau", full=False)
            page.goto(f"{base}/catalogue/")
            shot(page, "catalogue-list")
            first = page.locator("table a[href^='/catalogue/']").first
            if first.count():
                first.click()
                shot(page, "catalogue-detail")

            login(page, base, "principal", password)
            page.goto(f"{base}/analytics/")
            shot(page, "analytics-principal", full=False)
            page.goto(f"{base}/accounts/activation-codes/")
            shot(page, "activation-codes")

            login(page, base, "auditor", password)
            page.goto(f"{base}/audit/")
            shot(page, "audit-log", full=False)

            login(page, base, "sysadmin", password)
            page.goto(f"{base}/accounts/admin/banzhuren/")
            shot(page, "account-grants")

            login(page, base, "student", password)
            shot(page, "student-home")
            page.goto(f"{base}/apps/")
            shot(page, "student-apps")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()

"""Screenshots of the plan-indicator and early-warning pages on the demo (run after ``zhijiao demo --setup-only``).

ZHIJIAO_HOME=/tmp/demo uv run python scripts/screenshots_indicators.py [--port 8781]
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
from screenshots import CHROMIUM_ARGS, login, wait_until_up


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8781)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(os.environ.get("ZHIJIAO_HOME", "./var"))
    accounts = json.loads((home / "demo-accounts.json").read_text(encoding="utf-8"))
    password = accounts[0]["password"]
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(args.port)])  # noqa: S603
    try:
        wait_until_up(base)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            login(page, base, "bureau", password)
            page.goto(f"{base}/analytics/indicators/")
            page.screenshot(path=out / "50-indicators.png", full_page=True)
            page.goto(f"{base}/analytics/indicators/student-computer/")
            page.screenshot(path=out / "51-indicator-detail.png")
            page.goto(f"{base}/analytics/warnings/")
            page.screenshot(path=out / "52-warnings.png")
            first = page.locator("table a[href^='/analytics/warnings/']").first
            if first.count():
                first.click()
                page.screenshot(path=out / "52b-warning-detail.png", full_page=True)
            page.context.clear_cookies()
            login(page, base, "principal", password)
            page.screenshot(path=out / "53-home-warnings.png")
            page.goto(f"{base}/analytics/indicators/report/")
            page.screenshot(path=out / "54-indicator-report.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

"""Screenshots of the plan-indicator and early-warning pages on the demo (run after ``zhijiao demo --setup-only``).

ZHIJIAO_HOME=/tmp/demo uv run python scripts/screenshots_indicators.py [--port 8781]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8781)
    args = parser.parse_args()
    out = out_dir(args.out)
    password = next(iter(demo_accounts().values()))["password"]
    with demo_server(args.port) as base, chromium() as browser:
        page = new_page(browser)
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


if __name__ == "__main__":
    main()

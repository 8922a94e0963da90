"""Click through the main pages as each role in headless Chromium and save screenshots to docs/screenshots/.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --scale district --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots.py [--out docs/screenshots]

Uses Debian's /usr/bin/chromium through Playwright (no browser download).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import (  # noqa: F401  (the other helpers: re-exported for benchmarks/analytics_city.py)
    CHROMIUM_ARGS,
    chromium,
    demo_accounts,
    demo_server,
    demo_totp_secret,
    free_port,
    fresh_totp,
    login,
    new_page,
    out_dir,
    phone_page,
    totp_now,
    wait_until_up,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = out_dir(args.out)
    password = next(iter(demo_accounts().values()))["password"]

    with demo_server() as base, chromium() as browser:
        page = new_page(browser)

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

        phone = phone_page(browser)
        login(phone, base, "principal", password)
        phone.screenshot(path=out / "14-mobile-school-admin.png")
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()

"""Screenshots of the pages a new user stumbled on (issue 12, "first-week stumbles"), for before/after comparison.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_ux.py --tag after [--out docs/screenshots]

Writes docs/screenshots/73-<tag>-<page>.png: analytics breadcrumbs (region administrator, principal), the audit log
(auditor), the data catalogue, an account's grants (system administrator), the activation-code page (principal),
the student home and the student's app portal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir
from shots_common import shot as save


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--tag", default="after")
    parser.add_argument("--only", nargs="*", default=[], help="save only these pages (names as in the file names)")
    args = parser.parse_args()
    out = out_dir(args.out)
    password = next(iter(demo_accounts().values()))["password"]

    def shot(page, name: str, *, full: bool = True) -> None:
        if args.only and name not in args.only:
            return
        save(page, out / f"73-{args.tag}-{name}.png", full=full)

    with demo_server(seconds=120) as base, chromium() as browser:  # 120 s: room for a slow start on a busy machine
        page = new_page(browser)

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
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()

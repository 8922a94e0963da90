"""Screenshot of the 学习活动 panel on the demo school's statistics page (docs/screenshots/xapi/):

* ``analytics-learning.png``: the principal's school page, scrolled to 学习活动 (records per day and per verb, the
  classes side by side).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_xapi_analytics.py [--out docs/screenshots/xapi] [--port 8114]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/xapi")
    parser.add_argument("--port", type=int, default=8114)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser, height=1000)
        login(page, base, "principal", accounts["principal"]["password"])
        page.goto(f"{base}/analytics/")
        page.wait_for_selector("#learning")
        page.wait_for_timeout(800)  # the chart's first draw
        page.locator("#learning").screenshot(path=str(out / "analytics-learning.png"))
        print("saved", out / "analytics-learning.png")


if __name__ == "__main__":
    main()

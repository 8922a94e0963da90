"""Screenshots of the demo library as a teacher browses it, without a query (issue 19: does it read like a real
library?): the resource centre's list (91) and the public portal's newest uploads (92).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_demo_library.py [--out docs/screenshots] [--port 8731]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8731)
    args = parser.parse_args()
    out = out_dir(args.out)
    teacher = demo_accounts()["teacher"]
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser)
        login(page, base, "teacher", teacher["password"], teacher.get("totp_secret"))
        shot(page, out / "91-demo-library.png", url=f"{base}/resources/", full=False)
        shot(page, out / "91b-demo-library-full.png", url=f"{base}/resources/")
        page.context.clear_cookies()
        page.goto(f"{base}/resources/public/")
        page.click("a:has-text('最新')")  # the newest uploads: every subject, not the first school's
        page.wait_for_load_state("networkidle")
        shot(page, out / "92-demo-library-public.png")


if __name__ == "__main__":
    main()

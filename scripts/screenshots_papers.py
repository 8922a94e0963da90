"""Screenshots of papers (组卷) on the demo region:

* ``paper-blueprint.png``: the teacher's 双向细目表 with a shortfall reported before anything is saved;
* ``paper-assembly.png``: the assembly page of the paper built from it, the item bank search beside it;
* ``paper-preview.png``: the paper laid out for printing, formulas rendered;
* ``paper-key.png``: the teacher's answer key.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_papers.py [--out docs/screenshots/learning] [--port 8113]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/learning")
    parser.add_argument("--port", type=int, default=8113)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    password = accounts["teacher"].get("password") or os.environ["ZHIJIAO_DEMO_PASSWORD"]
    with demo_server(args.port, tries=3) as base, chromium() as browser:
        page = new_page(browser)
        login(page, base, "teacher", password)
        page.goto(f"{base}/learning/papers/auto/")
        page.fill('input[name="title"]', "七年级数学 期末综合练习")
        page.select_option('select[name="grade"]', "21")
        rows = [("一元一次方程", "2", "blank", "1", "4"), ("", "2", "single", "4", "3"), ("", "", "multiple", "1", "4"),
                ("", "", "true_false", "1", "2"), ("", "", "blank", "2", "4"),
                ("", "3", "open", "2", "10")]  # fmt: skip
        for n, (point, difficulty, kind, count, points) in enumerate(rows, start=1):
            if point:
                page.select_option(f'select[name="point_{n}"]', label=point)
            if difficulty:
                page.select_option(f'select[name="difficulty_{n}"]', difficulty)
            page.select_option(f'select[name="type_{n}"]', kind)
            page.fill(f'input[name="count_{n}"]', count)
            page.fill(f'input[name="points_{n}"]', points)
        page.fill('input[name="seed"]', "2026")
        page.click("button:has-text('组卷')")
        page.wait_for_load_state("networkidle")
        shot(page, out / "paper-blueprint.png", full=False)
        if page.locator("button:has-text('仍然生成')").count():
            page.click("button:has-text('仍然生成')")
            page.wait_for_load_state("networkidle")
        page.wait_for_timeout(600)
        shot(page, out / "paper-assembly.png", full=False)
        paper_url = page.url.split("?")[0]
        page.goto(paper_url + "preview/")
        page.wait_for_timeout(800)
        shot(page, out / "paper-preview.png", full=False)
        page.goto(paper_url + "key/")
        page.wait_for_timeout(800)
        shot(page, out / "paper-key.png", full=False)
    print(f"saved to {out}")


if __name__ == "__main__":
    main()

"""Screenshots of query understanding on the demo library (issue 19): a typo query, a shorthand query and the
explain view, as the demo teacher sees them.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_search.py [--out docs/screenshots] [--port 8101]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot

SHOTS = (
    ("search-typo.png", "勾股定里", ""),  # one character wrong: corrected, the original offered
    ("search-shorthand.png", "八下 一次函数 课件", ""),  # 八下 → 八年级 下册, 课件 → the type, ranked first
    ("search-shorthand-only.png", "八下", "&explain=1"),  # nothing but shorthand: it filters
    ("search-explain.png", "八下 勾股定理 PPT", "&explain=1"),  # the parsed query
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8101)
    args = parser.parse_args()
    out = out_dir(args.out)
    teacher = demo_accounts()["teacher"]
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser)
        login(page, base, "teacher", teacher["password"], teacher.get("totp_secret"))
        for name, query, extra in SHOTS:
            shot(page, out / name, url=f"{base}/resources/?q={quote(query)}{extra}", full=False)


if __name__ == "__main__":
    main()

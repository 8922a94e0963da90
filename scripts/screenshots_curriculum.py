"""Screenshots of textbook chapter trees: in the resource search, 人教A版 高中数学 必修第一册 with 第五章 三角函数 open
and 统编版 初中语文 七年级上册 with 第一单元 open; and the 课程体系 page (curriculum-tree.png) with 人教版 初中数学
八年级下册 (勾股定理: knowledge points, aliases, prerequisites), seen by a bureau administrator (import/export).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_curriculum.py [--out docs/screenshots] [--port 8753]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot


def chapter_id(edition: str, volume: str, number: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.curriculum.models import Chapter

    return Chapter.objects.get(volume__edition__code=edition, volume__code=volume, number=number).pk


def volume_id(edition: str, subject: str, volume: str) -> int:
    from zhijiao.curriculum.models import TextbookVolume

    return TextbookVolume.objects.get(edition__code=edition, edition__subject=subject, code=volume).pk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8753)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    shots = {
        "curriculum-chapter-tree.png": {
            "stage": "高中", "subject": "数学", "volume": "必修第一册", "chapter": chapter_id("pep-a", "b1", "5"),
        },
        "curriculum-chapter-tree-chinese.png": {
            "stage": "初中", "subject": "语文", "volume": "七年级上册", "chapter": chapter_id("bu", "7a", "1"),
        },
    }  # fmt: skip
    tree_volume = volume_id("pep", "14", "8b")  # before the browser: Django refuses queries inside its event loop
    # a busy machine can take longer than wait_until_up's 20 s to start: wait up to five times
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser, height=1100)
        login(page, base, "teacher", accounts["teacher"]["password"])
        for name, query in shots.items():
            shot(page, out / name, url=f"{base}/resources/?{urlencode(query)}", full=False)
            print("saved", out / name)
        bureau = next(name for name, a in accounts.items() if a["role"] == "region_admin")
        page = new_page(browser, height=1500)
        login(page, base, bureau, accounts[bureau]["password"])
        shot(page, out / "curriculum-tree.png", url=f"{base}/curriculum/?volume={tree_volume}")
        print("saved", out / "curriculum-tree.png")


if __name__ == "__main__":
    main()

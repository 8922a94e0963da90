"""Screenshots of textbook chapter trees in the resource search: 人教A版 高中数学 必修第一册 with 第五章 三角函数
open, and 统编版 初中语文 七年级上册 with 第一单元 open.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_curriculum.py [--out docs/screenshots] [--port 8753]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import django
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from screenshots import CHROMIUM_ARGS, login, wait_until_up


def chapter_id(edition: str, volume: str, number: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.resources.models import Chapter

    return Chapter.objects.get(volume__edition__code=edition, volume__code=volume, number=number).pk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8753)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(os.environ.get("ZHIJIAO_HOME", "./var"))
    accounts = {a["username"]: a for a in json.loads((home / "demo-accounts.json").read_text(encoding="utf-8"))}
    shots = {
        "curriculum-chapter-tree.png": {
            "stage": "高中", "subject": "数学", "volume": "必修第一册", "chapter": chapter_id("pep-a", "b1", "5"),
        },
        "curriculum-chapter-tree-chinese.png": {
            "stage": "初中", "subject": "语文", "volume": "七年级上册", "chapter": chapter_id("bu", "7a", "1"),
        },
    }  # fmt: skip
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(args.port)])  # noqa: S603
    try:
        for attempt in range(5):  # a busy machine can take longer than wait_until_up's 20 s to start
            try:
                wait_until_up(base)
                break
            except SystemExit:
                if attempt == 4:
                    raise
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1100}, locale="zh-CN")
            login(page, base, "teacher", accounts["teacher"]["password"])
            for name, query in shots.items():
                page.goto(f"{base}/resources/?{urlencode(query)}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=out / name, full_page=False)
                print("saved", out / name)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

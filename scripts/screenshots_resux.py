"""Screenshots of the resource centre's first-week stumbles (issue 12): the upload form on a desktop, search on a
phone (390 px), and a returned resource's page as its author.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --scale small --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_resux.py --prefix 72-after [--out docs/screenshots]
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
from screenshots import CHROMIUM_ARGS, free_port, login, wait_until_up

RETURNED_ID = (
    "from zhijiao.resources.models import Resource;"
    "r = Resource.objects.filter(status='returned', author__username=%r).order_by('pk').first();"
    "print('ID', r.pk if r else '')"
)


def returned_resource(username: str) -> str:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "zhijiao.cli", "manage", "shell", "-c", RETURNED_ID % username],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return next(line.split()[1] for line in out.splitlines() if line.startswith("ID "))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--prefix", default="72-after")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(os.environ.get("ZHIJIAO_HOME", "./var"))
    accounts = json.loads((home / "demo-accounts.json").read_text(encoding="utf-8"))
    teacher = next(a for a in accounts if a["role"] == "teacher")
    rid = returned_resource(teacher["username"])

    port = int(os.environ.get("SHOT_PORT", "0")) or free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(port)])  # noqa: S603
    try:
        for attempt in range(3):  # a busy machine can take longer than one wait
            try:
                wait_until_up(base)
                break
            except SystemExit:
                if attempt == 2:
                    raise
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            login(page, base, teacher["username"], teacher["password"])
            page.goto(f"{base}/resources/upload/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / f"{args.prefix}-upload.png", full_page=True)
            if page.locator("#res-taxonomy").count():  # the cascade: each choice narrows the next list (htmx)
                for field, value in (("stage", "3"), ("subject", "14")):
                    page.select_option(f"#id_{field}", value)
                    page.wait_for_load_state("networkidle")
                for field, label in (("edition", "人教版"), ("volume", "九年级上册"), ("chapter", "24.1 圆的有关性质")):
                    page.select_option(f"#id_{field}", label=label)
                    page.wait_for_load_state("networkidle")
                page.locator(".res-point", has_text="圆的有关性质").click()
                page.fill("#id_title", "垂径定理 课件")
                page.select_option("#id_type", "courseware")
                page.locator(".page-title").click()
                page.screenshot(path=out / f"{args.prefix}-upload-filled.png", full_page=True)
            page.goto(f"{base}/resources/{rid}/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=out / f"{args.prefix}-returned-detail.png", full_page=True)
            if page.locator(f"a[href='/resources/{rid}/edit/']").count():
                page.goto(f"{base}/resources/{rid}/edit/")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=out / f"{args.prefix}-edit.png", full_page=True)

            phone = browser.new_page(
                viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, locale="zh-CN"
            )
            login(phone, base, teacher["username"], teacher["password"])
            phone.goto(f"{base}/resources/?q=%E5%87%BD%E6%95%B0")
            phone.wait_for_load_state("networkidle")
            phone.screenshot(path=out / f"{args.prefix}-search-phone.png")
            phone.screenshot(path=out / f"{args.prefix}-search-phone-full.png", full_page=True)
            if phone.locator(".res-filter-btn").count():
                phone.click(".res-filter-btn")
                phone.wait_for_timeout(300)
                phone.screenshot(path=out / f"{args.prefix}-search-phone-filters.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("screenshots written to", out)


if __name__ == "__main__":
    main()

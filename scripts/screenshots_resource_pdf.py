"""Screenshot of a published PDF resource's page as the demo teacher (71): the file block with its preview.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_resource_pdf.py --name 71-after-resource-pdf.png

It opens the demo teacher's first published resource whose file is a PDF, or the one titled ``--title``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import django
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).parent))
from screenshots import CHROMIUM_ARGS, login, wait_until_up


def pick(title: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.resources.models import Resource, ResourceStatus

    found = Resource.objects.filter(
        author__username="teacher",
        status=ResourceStatus.PUBLISHED,
        current_version__file__mime="application/pdf",
    )
    if title:
        found = found.filter(title=title)
    resource = found.order_by("pk").first()
    if resource is None:
        raise SystemExit("no such PDF resource in the demo library")
    return resource.pk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--name", required=True)
    parser.add_argument("--port", type=int, default=8130)
    parser.add_argument("--base", default="", help="an already running server (else one is started on --port)")
    parser.add_argument("--title", default="")
    parser.add_argument("--height", type=int, default=1000, help="viewport height (1500: a PDF page and its row)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    home = Path(os.environ.get("ZHIJIAO_HOME", "./var"))
    accounts = {a["username"]: a for a in json.loads((home / "demo-accounts.json").read_text(encoding="utf-8"))}
    pk = pick(args.title)
    base = args.base.rstrip("/") or f"http://127.0.0.1:{args.port}"
    server = None
    if not args.base:
        server = subprocess.Popen([sys.executable, "-m", "zhijiao.cli", "serve", "--port", str(args.port)])  # noqa: S603
    try:
        wait_until_up(base)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": args.height}, locale="zh-CN")
            a = accounts["teacher"]
            login(page, base, "teacher", a["password"], a.get("totp_secret"))
            page.goto(f"{base}/resources/{pk}/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / args.name), full_page=False)
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()

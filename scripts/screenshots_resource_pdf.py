"""Screenshot of a published PDF resource's page as the demo teacher (71): the file block with its preview.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_resource_pdf.py --name 71-after-resource-pdf.png

It opens the demo teacher's first published resource whose file is a PDF, or the one titled ``--title``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot


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
    out = out_dir(args.out)
    accounts = demo_accounts()
    pk = pick(args.title)
    with demo_server(args.port, base=args.base) as base, chromium() as browser:
        page = new_page(browser, height=args.height)
        a = accounts["teacher"]
        login(page, base, "teacher", a["password"], a.get("totp_secret"))
        shot(page, out / args.name, url=f"{base}/resources/{pk}/", full=False)


if __name__ == "__main__":
    main()

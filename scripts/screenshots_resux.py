"""Screenshots of the resource centre's first-week stumbles (issue 12): the upload form on a desktop, search on a
phone (390 px), and a returned resource's page as its author.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --scale small --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_resux.py --prefix 72-after [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, phone_page, shot

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
    out = out_dir(args.out)
    teacher = next(a for a in demo_accounts().values() if a["role"] == "teacher")
    rid = returned_resource(teacher["username"])

    port = int(os.environ.get("SHOT_PORT", "0"))
    # a busy machine can take longer than one wait: wait up to three times
    with demo_server(port, tries=3) as base, chromium() as browser:
        page = new_page(browser, height=1000)
        login(page, base, teacher["username"], teacher["password"])
        shot(page, out / f"{args.prefix}-upload.png", url=f"{base}/resources/upload/")
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
        shot(page, out / f"{args.prefix}-returned-detail.png", url=f"{base}/resources/{rid}/")
        if page.locator(f"a[href='/resources/{rid}/edit/']").count():
            shot(page, out / f"{args.prefix}-edit.png", url=f"{base}/resources/{rid}/edit/")

        phone = phone_page(browser, is_mobile=True)
        login(phone, base, teacher["username"], teacher["password"])
        shot(phone, out / f"{args.prefix}-search-phone.png", url=f"{base}/resources/?q=%E5%87%BD%E6%95%B0", full=False)
        phone.screenshot(path=out / f"{args.prefix}-search-phone-full.png", full_page=True)
        if phone.locator(".res-filter-btn").count():
            phone.click(".res-filter-btn")
            phone.wait_for_timeout(300)
            phone.screenshot(path=out / f"{args.prefix}-search-phone-filters.png")
    print("screenshots written to", out)


if __name__ == "__main__":
    main()

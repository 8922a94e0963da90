"""Screenshots of the resource detail as its author sees it (61), the resource search (63), the public portal (64),
the review queue (62, 67), a published micro-lesson's rating, comments and value score (68) and 我的收藏 (69).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_resources.py [--out docs/screenshots] [--port 8752]
        [--only 61 68]

Before shooting it makes sure the demo region has a resource library: the demo's own
(``zhijiao.demo.resources.demo_library``, a few thousand published resources by the region's teachers, with
ratings, usage and the search index) unless one is there already. Run twice, it adds nothing the second time.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django
from playwright.sync_api import Page

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir


def prepare_library(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.demo.resources import demo_library
    from zhijiao.resources.indexing import reindex_all, search_backend
    from zhijiao.resources.models import Resource, ResourceStatus

    stats = demo_library(published=count, progress=print)
    if getattr(stats, "skipped", False) and search_backend().num_docs() == 0:
        reindex_all()
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED).count()
    print(f"资源库：已发布 {published} 条，索引 {search_backend().num_docs()} 条")


def lesson_id() -> int:
    """The demo teacher's published micro-lesson video (the demo library's real media)."""
    from zhijiao.resources.models import Resource, ResourceStatus

    lesson = (
        Resource.objects.filter(status=ResourceStatus.PUBLISHED, current_version__original_name__endswith=".mp4")
        .order_by("pk")
        .first()
    )
    if lesson is None:
        raise SystemExit("the demo library has no published video (is ffmpeg installed?)")
    return lesson.pk


def shoot(page: Page, path: Path, *, full: bool = True) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=path, full_page=full)
    print("saved", path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8752)
    parser.add_argument("--count", type=int, default=3000, help="published resources in the demo library")
    parser.add_argument("--only", nargs="*", default=[], help="shoot only these numbers (e.g. 61 68)")
    args = parser.parse_args()

    def wanted(number: str) -> bool:
        return not args.only or number in args.only

    out = out_dir(args.out)
    accounts = demo_accounts()
    prepare_library(args.count)
    lesson = lesson_id()  # before Playwright: Django refuses queries inside its event loop

    def sign_in(page: Page, username: str) -> None:
        a = accounts[username]
        login(page, base, username, a["password"], a.get("totp_secret"))

    # a busy machine can take longer than wait_until_up's 20 s to start: wait up to five times
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser)

        # 61: the demo teacher on their own published micro-lesson: video, file row (type · size · version),
        # resource information, knowledge points, review history.
        if wanted("61"):
            sign_in(page, "teacher")
            page.goto(f"{base}/resources/{lesson}/")
            shoot(page, out / "61-resource-detail.png")

        # 63: a teacher searches 勾股定理 and narrows to 初二 (八年级); the facets keep their counts.
        if wanted("63"):
            sign_in(page, "teacher")
            page.goto(f"{base}/resources/")
            page.fill("input[name=q]", "勾股定理")
            page.click(".res-searchbar button[type=submit]")
            page.wait_for_selector(".res-q")  # htmx swapped in the results for the query
            page.click(".res-facet a:has-text('初二')")
            page.wait_for_selector(".res-chip")  # … and for the chosen grade
            shoot(page, out / "63-search-facets.png", full=False)
            shoot(page, out / "63b-search-facets-full.png")
            page.goto(f"{base}/resources/?q=圆")
            shoot(page, out / "63c-search-one-character.png", full=False)

        # 64: the public portal, no sign-in.
        if wanted("64"):
            page.context.clear_cookies()
            page.goto(f"{base}/resources/public/?q=函数")
            shoot(page, out / "64-public-portal.png", full=False)

        # 62 / 67: the review queue of the principal (一审) and the bureau (二审).
        if wanted("62") or wanted("67"):
            sign_in(page, "principal")
            page.goto(f"{base}/resources/review/")
            shoot(page, out / "62-review-queue.png")
            sign_in(page, "bureau")
            page.goto(f"{base}/resources/review/?stage=second")
            shoot(page, out / "67-review-queue.png", full=False)

        # 68 / 69: a head teacher on the demo teacher's published micro-lesson (video preview, stars, value
        # score with its formula on hover, comments), then their favourites.
        if wanted("68") or wanted("69"):
            sign_in(page, "banzhuren")
            page.goto(f"{base}/resources/{lesson}/")
            page.set_viewport_size({"width": 1440, "height": 1640})  # the whole page without a full-page stitch
            page.hover(".ru-value-ring")
            shoot(page, out / "68-resource-use.png", full=False)
            page.set_viewport_size({"width": 1440, "height": 900})
            page.goto(f"{base}/resources/favourites/")
            shoot(page, out / "69-favourites.png", full=False)


if __name__ == "__main__":
    main()

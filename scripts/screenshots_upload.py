"""Screenshot of the resumable upload: the upload page mid-upload of a ~200 MB lesson video, progress bar visible.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --scale small --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_upload.py [--out docs/screenshots]

The browser's upload bandwidth is throttled (Chrome DevTools network emulation) so the bar can be caught at
about 40 %; the metadata is filled in as a teacher would.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir

VIDEO_MB = 196


def lesson_video(folder: Path) -> Path:
    path = folder / "课堂实录-圆周角定理（九年级上册）.mp4"
    with open(path, "wb") as f:
        for _ in range(VIDEO_MB):
            f.write(os.urandom(1024 * 1024))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--at", type=float, default=40.0, help="take the picture at this percentage")
    args = parser.parse_args()
    out = out_dir(args.out)
    teacher = next(a for a in demo_accounts().values() if a["role"] == "teacher")

    folder = Path(tempfile.mkdtemp(prefix="zhijiao-shot-"))
    try:
        video = lesson_video(folder)
        with demo_server() as base, chromium() as browser:
            page = new_page(browser, height=1000)
            login(page, base, teacher["username"], teacher["password"])
            page.goto(f"{base}/resources/upload/")
            page.fill("#id_title", "圆周角定理 课堂实录（九年级上册 24.1.4）")
            page.select_option("#id_type", "micro_lesson")
            page.select_option("#id_stage", "3")
            page.select_option("#id_subject", "14")
            page.select_option("#id_grade", value="23")  # 初三 = 九年级
            # the cascade 版本 → 册 → 章节 → 知识点: each choice brings the next list (htmx)
            for field, label in (("edition", "人教版"), ("volume", "九年级上册"), ("chapter", "24.1 圆的有关性质")):
                page.select_option(f"#id_{field}", label=label)
                page.wait_for_load_state("networkidle")
            page.fill(
                "#id_description",
                "九年级数学公开课完整实录（45 分钟）：从圆心角引入，分类讨论圆周角与圆心角的关系，"
                "证明圆周角定理及推论，配套课堂练习与小结。",
            )
            page.fill("#id_keywords", "圆周角 圆心角 公开课 课堂实录")
            point = page.locator(".res-point", has_text="圆的有关性质")
            if point.count():
                point.first.click()
            print("knowledge point chosen:", point.count() > 0)
            page.select_option("#id_sharing", "district")
            cdp = page.context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 5 * 1024 * 1024},
            )
            page.set_input_files("#id_file", str(video))
            page.locator(".page-title").click()  # no focus ring on the last field typed in
            pct = page.locator("[data-role=pct]")
            for _ in range(1200):  # the page's CSP forbids eval, so poll from here
                if float(pct.inner_text().rstrip("%") or 0) >= args.at:
                    break
                page.wait_for_timeout(100)
            page.wait_for_timeout(300)
            page.screenshot(path=out / "66-upload-progress.png", full_page=True)
            # then the rest at full speed, and the form saves the resource from the finished upload
            cdp.send(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )
            page.wait_for_selector(".res-chunked.is-done", timeout=300_000)
            page.click("button[data-role=submit]")
            page.wait_for_load_state("networkidle")
            print("saved:", page.url, page.locator("h1, .res-hero-title").first.inner_text())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"screenshot written to {out / '66-upload-progress.png'}")


if __name__ == "__main__":
    main()

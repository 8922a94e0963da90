"""Screenshots of 电脑派位 (the admission lottery): the draws list, the big-screen stage before the draw (the
commitment and the form where the notary enters the public data), the stage after it with the order revealed,
and the public result page as a family sees it (signed out).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_services.py [--out docs/screenshots] [--port 8760]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, shot

YEAR = 2026


def prepare_draw(bureau: str) -> int:
    """A draw of 60 applicants for 12 seats at the bureau's first school, list published (before the browser:
    Django refuses queries inside Playwright's event loop). Re-running the script starts it afresh."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.identity.models import Account
    from zhijiao.services import selectors, services
    from zhijiao.services.models import LotteryDraw

    actor = Account.objects.get(username=bureau)
    school = selectors.draw_schools(actor=actor)[0]
    LotteryDraw.objects.filter(school=school, year=YEAR).delete()
    rows = "".join(f"2026{school.code[-4:]}{i:03d},{'张王李赵刘陈'[i % 6]}同学\n" for i in range(1, 61))
    draw = services.draw_create(
        actor=actor,
        school=school,
        year=YEAR,
        seats=12,
        applicants=("报名编号,姓名\n" + rows).encode(),
        input_plan="12月8日 中国福利彩票“3D”与“双色球”开奖号码",
        title=f"{YEAR}年 {school.name} 民办初中招生电脑派位",
    )
    return draw.pk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8760)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    bureau = next(name for name, a in accounts.items() if a["role"] == "region_admin")
    draw_id = prepare_draw(bureau)
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser, width=1600, height=1000)
        login(page, base, bureau, accounts[bureau]["password"])
        shot(page, out / "lottery-list.png", url=f"{base}/services/lottery/")
        shot(page, out / "lottery-stage-before.png", url=f"{base}/services/lottery/{draw_id}/stage/", full=False)
        page.fill("#p-input", "9 1 3 / {02 05 12 27 33 40}")
        page.fill("#p-notary", "某某公证处 王公证员")
        page.click("button.lot-go")
        page.wait_for_selector(".lot-order li.lot-shown")
        page.wait_for_timeout(60 * 350 + 1000)  # the reveal, one rank every 0.35 s
        shot(page, out / "lottery-stage-drawn.png")
        page.click("form[action$='/publish/'] button")
        page.wait_for_load_state("networkidle")
        public = new_page(browser, width=1280, height=1000)  # a family, not signed in
        shot(public, out / "lottery-public.png", url=f"{base}/services/lottery/public/{draw_id}/")
        for name in ("lottery-list", "lottery-stage-before", "lottery-stage-drawn", "lottery-public"):
            print("saved", out / f"{name}.png")


if __name__ == "__main__":
    main()

"""Screenshots of 义务教育招生 on the demo region:

* ``adm-phone-signin.png``: a family without an account signs in by mobile number and text code (phone);
* ``adm-apply-phone.png``: the application form on a phone (390×844), the parent signed in;
* ``adm-result-phone.png``: the parent's application with its published result on a phone;
* ``adm-queue.png``: the principal's review queue;
* ``adm-review.png``: one application at 学校审核 with the eligibility reasons, the evidence and the decision form;
* ``adm-manage.png``: the bureau's plans and placement, the private school's lottery linked;
* ``adm-catchments.png``, ``adm-rules.png``: the bureau's catchments (form and xlsx import) and categories;
* ``adm-draw.png``: the private school's draw page (list and commitment published, ready to draw).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_admission.py [--out docs/screenshots] [--port 8614]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, phone_page, shot


def ids() -> tuple[int, int, int]:
    """(the parent's application, one waiting at the principal's school step, the private school's draw)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.services.models import LotteryDraw
    from zhijiao.services.models_admission import Application

    mine = Application.objects.filter(applicant__username="parent").latest("pk").pk
    waiting = Application.objects.filter(status="school").order_by("pk").first()
    draw = LotteryDraw.objects.order_by("-pk").first()
    return mine, waiting.pk if waiting else mine, draw.pk if draw else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8614)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    mine, waiting, draw = ids()  # before the browser: Django refuses queries in its event loop
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        phone = phone_page(browser)
        phone.goto(f"{base}/services/admission/phone/")
        phone.fill("input[name=phone]", "13912345678")
        phone.click("button[value=send]")
        phone.wait_for_load_state("networkidle")
        shot(phone, out / "adm-phone-signin.png", full=False)
        phone = phone_page(browser)
        login(phone, base, "parent", accounts["parent"]["password"])
        shot(phone, out / "adm-apply-phone.png", url=f"{base}/services/admission/apply/")
        shot(phone, out / "adm-result-phone.png", url=f"{base}/services/admission/{mine}/")
        page = new_page(browser, height=1000)
        login(page, base, "principal", accounts["principal"]["password"])
        shot(page, out / "adm-queue.png", url=f"{base}/services/admission/")
        shot(page, out / "adm-review.png", url=f"{base}/services/admission/{waiting}/")
        page = new_page(browser, height=1000)
        login(page, base, "bureau", accounts["bureau"]["password"])
        shot(page, out / "adm-manage.png", url=f"{base}/services/admission/manage/")
        shot(page, out / "adm-catchments.png", url=f"{base}/services/admission/catchments/")
        shot(page, out / "adm-rules.png", url=f"{base}/services/admission/rules/")
        if draw:
            shot(page, out / "adm-draw.png", url=f"{base}/services/lottery/{draw}/stage/")
    for name in ("adm-phone-signin", "adm-apply-phone", "adm-result-phone", "adm-queue", "adm-review", "adm-manage"):
        print("saved", out / f"{name}.png")


if __name__ == "__main__":
    main()

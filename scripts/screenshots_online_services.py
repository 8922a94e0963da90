"""Screenshots of 网上办事 beyond the lottery: a guardian's transfer application, the principal's approval queue, a
transfer at the bureau's step with its history, the public training-institution query (desktop and phone) and the
public service guide. Saved under docs/screenshots/services/.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_online_services.py [--out docs/screenshots/services]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, phone_page, shot


def prepare(password: str) -> dict[str, int | str]:
    """A transfer the demo parent applied for, taken through 转出学校 and 转入学校 (a receiving principal made here),
    so it waits at the bureau with its history; and a second child for the form. Before the browser (Django
    refuses queries inside Playwright's event loop)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.access.roles import Role
    from zhijiao.identity.models import Account
    from zhijiao.identity.services import account_create, role_grant
    from zhijiao.services import selectors_status, services_status
    from zhijiao.services.models import StatusCase

    parent, principal = Account.objects.get(username="parent"), Account.objects.get(username="principal")
    case = StatusCase.objects.filter(kind="transfer", applicant=parent).order_by("-id").first()
    assert case is not None, "the demo has no transfer case: run zhijiao demo --reset"
    if case.step == "school_out" and case.status == "pending":
        services_status.case_supplement_request(
            actor=principal, case_id=case.pk, note="请补充新住址的房产证明或租赁合同。"
        )
        services_status.case_supplement(actor=parent, case_id=case.pk, note="已补充租赁合同（江岸区沿江大道88号）。")
        services_status.case_approve(actor=principal, case_id=case.pk, note="同意转出，学籍档案随转。")
    case.refresh_from_db()
    receiving = Account.objects.filter(username="principal_in").first()
    if receiving is None:
        receiving = account_create(username="principal_in", password=password, display_name="转入学校管理员")
        role_grant(account=receiving, role=Role.SCHOOL_ADMIN, school=case.to_school)
    if case.step == "school_in":
        to_class = selectors_status.classes_of(school=case.to_school)[0]
        services_status.case_approve(actor=receiving, case_id=case.pk, to_class=to_class, note="有学位，同意接收。")
    return {"case": case.pk}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/services")
    parser.add_argument("--port", type=int, default=8107)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    password = accounts["parent"]["password"]
    ids = prepare(password)
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser, width=1440, height=1000)
        login(page, base, "parent", password)
        page.goto(f"{base}/services/status/new/")
        page.locator("input[name=student]:not([disabled])").first.check()
        page.check("input[name=kind][value=transfer]")
        page.select_option("#f-school", index=3)
        page.fill("#f-reason", "父母工作调动到江岸区，全家已搬到新住址，申请转入就近学校。")
        shot(page, out / "status-transfer-application.png")
        phone = phone_page(browser)
        login(phone, base, "parent", password)
        shot(phone, out / "status-transfer-application-phone.png", url=f"{base}/services/status/new/")
        admin = new_page(browser, width=1440, height=1000)
        login(admin, base, "principal", accounts["principal"]["password"], accounts["principal"].get("totp_secret"))
        shot(admin, out / "status-queue-principal.png", url=f"{base}/services/status/")
        bureau = new_page(browser, width=1440, height=1100)
        login(bureau, base, "bureau", accounts["bureau"]["password"], accounts["bureau"].get("totp_secret"))
        shot(bureau, out / "status-transfer-approval.png", url=f"{base}/services/status/{ids['case']}/")
        shot(bureau, out / "institutions-bureau.png", url=f"{base}/services/institutions/")
        public = new_page(browser, width=1280, height=1000)
        shot(public, out / "institutions-public.png", url=f"{base}/services/institutions/public/")
        shot(public, out / "institutions-public-black.png", url=f"{base}/services/institutions/public/?status=black")
        first = public.locator(".pub-item a").first.get_attribute("href")
        shot(public, out / "institution-public-detail.png", url=f"{base}{first}")
        mobile = phone_page(browser)
        shot(mobile, out / "institutions-public-phone.png", url=f"{base}/services/institutions/public/?q=书法")
        shot(public, out / "catalogue.png", url=f"{base}/services/")
        shot(mobile, out / "catalogue-phone.png", url=f"{base}/services/")
        for path in sorted(out.glob("*.png")):
            print("saved", path)


if __name__ == "__main__":
    main()

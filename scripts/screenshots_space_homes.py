"""Screenshots of the 网络学习空间 homes on the demo region (issue 18 item 1):

* ``space-teacher.png`` / ``space-teacher-phone.png``: the teacher's /space/ (classes, notices, research, hours);
* ``space-pupil.png`` / ``space-pupil-phone.png``: the pupil's /space/;
* ``space-guardian.png`` / ``space-guardian-phone.png``: the guardian's /space/, one block per child;
* ``space-class.png``: the demo class's space as its 班主任; ``space-class-phone.png`` as the guardian;
* ``space-school-public.png`` / ``space-school-public-phone.png``: the demo school's public face, signed out;
* ``space-region.png``: the region's space, signed out;
* ``space-indicators.png``: the indicators page as the bureau (the four space indicators).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_space_homes.py [--out DIR] [--port 8616]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, phone_page, shot


def places() -> tuple[int, int, str]:
    """(the demo pupil's class, school, county code), read before the browser starts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.identity.models import Account
    from zhijiao.people.models import Student

    pupil = Student.objects.select_related("school").get(person_id=Account.objects.get(username="student").person_id)
    return pupil.school_class_id or 0, pupil.school_id, pupil.school.division_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/shots/space")
    parser.add_argument("--port", type=int, default=8616)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    class_id, school_id, county = places()
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        for who in ("teacher", "student", "parent"):
            name = {"student": "pupil", "parent": "guardian"}.get(who, who)
            page = new_page(browser, height=1000)
            login(page, base, who, accounts[who]["password"])
            shot(page, out / f"space-{name}.png", url=f"{base}/space/")
            phone = phone_page(browser)
            login(phone, base, who, accounts[who]["password"])
            shot(phone, out / f"space-{name}-phone.png", url=f"{base}/space/")
            if who == "parent":
                shot(phone, out / "space-class-phone.png", url=f"{base}/space/class/{class_id}/")
        page = new_page(browser, height=1000)
        login(page, base, "banzhuren", accounts["banzhuren"]["password"])
        shot(page, out / "space-class.png", url=f"{base}/space/class/{class_id}/")
        anonymous = new_page(browser, height=1000)
        shot(anonymous, out / "space-school-public.png", url=f"{base}/space/school/{school_id}/")
        shot(anonymous, out / "space-region.png", url=f"{base}/space/region/{county}/")
        phone = phone_page(browser)
        shot(phone, out / "space-school-public-phone.png", url=f"{base}/space/school/{school_id}/")
        page = new_page(browser, height=1000)
        login(page, base, "bureau", accounts["bureau"]["password"], accounts["bureau"].get("totp_secret"))
        shot(page, out / "space-indicators.png", url=f"{base}/analytics/indicators/")
    for path in sorted(out.glob("space-*.png")):
        print("saved", path)


if __name__ == "__main__":
    main()

"""Screenshots of the learning record store's pages on the demo region (docs/screenshots/xapi/):

* ``lrs-admin.png``: 学习记录库 for the platform administrator (volumes per app and per day, apps, credentials,
  retention, deletions);
* ``lrs-statements.png``: the statement browser (learners masked, unknown actors flagged);
* ``lrs-learner.png``: the browser filtered to one learner, with export and lawful deletion;
* ``my-records.png``: the demo pupil's 我的学习记录; ``my-records-phone.png`` the same on a phone;
* ``guardian-records-phone.png``: the demo parent's view of their child's records, on a phone;
* ``class-records.png``: the 班主任's class with each pupil's records in the last 30 days.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_xapi.py [--out docs/screenshots/xapi] [--port 8105]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, phone_page, shot


def ids() -> tuple[int, int]:
    """(the demo pupil's account id, their class id): read before the browser starts."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.identity.models import Account
    from zhijiao.people.models import Student

    student = Account.objects.get(username="student")
    return student.pk, Student.objects.get(person_id=student.person_id).school_class_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/xapi")
    parser.add_argument("--port", type=int, default=8105)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    learner, class_id = ids()
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser, height=1000)
        login(page, base, "admin", accounts["admin"]["password"])
        shot(page, out / "lrs-admin.png", url=f"{base}/lrs/")
        shot(page, out / "lrs-statements.png", url=f"{base}/lrs/statements/", full=False)
        shot(page, out / "lrs-learner.png", url=f"{base}/lrs/statements/?learner={learner}", full=False)
        page = new_page(browser, height=1000)
        login(page, base, "student", accounts["student"]["password"])
        shot(page, out / "my-records.png", url=f"{base}/records/", full=False)
        phone = phone_page(browser)
        login(phone, base, "student", accounts["student"]["password"])
        shot(phone, out / "my-records-phone.png", url=f"{base}/records/", full=False)
        phone = phone_page(browser)
        login(phone, base, "parent", accounts["parent"]["password"])
        shot(phone, out / "guardian-records-phone.png", url=f"{base}/records/", full=False)
        page = new_page(browser, height=900)
        login(page, base, "banzhuren", accounts["banzhuren"]["password"])
        shot(page, out / "class-records.png", url=f"{base}/records/class/{class_id}/", full=False)
    for name in sorted(p.name for p in out.glob("*.png")):
        print("saved", out / name)


if __name__ == "__main__":
    main()

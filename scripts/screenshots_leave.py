"""Screenshots of 请假 on the demo region (``demo/spaces_leave.py`` builds its data):

* ``leave-guardian-phone.png``: the guardian's 请假 page on a phone (390×844): the form and their applications;
* ``leave-approve.png``: the 班主任's 请假 page with the application waiting for a decision;
* ``leave-attendance.png``: the class attendance: today's absentees with their kind, the term's approved leave;
* ``leave-messages-phone.png``: the guardian's 家校沟通 thread with the 班主任 on a phone.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_leave.py [--out docs/screenshots/spaces] [--port 8111]
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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.spaces.contact.models import Thread
    from zhijiao.spaces.leave.models import LeaveRequest

    row = LeaveRequest.objects.filter(applicant__username="parent").first()
    thread = Thread.objects.filter(guardian__username="parent").first()
    return (row.school_class_id if row else 0), (thread.pk if thread else 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots/spaces")
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--base", default="", help="a demo server already running")
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    klass, thread = ids()
    with demo_server(args.port, tries=5, base=args.base) as base, chromium() as browser:
        phone = phone_page(browser)
        login(phone, base, "parent", accounts["parent"]["password"])
        shot(phone, out / "leave-guardian-phone.png", url=f"{base}/space/leave/")
        if thread:
            shot(phone, out / "leave-messages-phone.png", url=f"{base}/space/messages/{thread}/")
        page = new_page(browser, height=900)
        login(page, base, "banzhuren", accounts["banzhuren"]["password"])
        shot(page, out / "leave-approve.png", url=f"{base}/space/leave/")
        shot(page, out / "leave-attendance.png", url=f"{base}/space/leave/class/{klass}/")
    for p in sorted(out.glob("leave-*.png")):
        print("saved", p)


if __name__ == "__main__":
    main()

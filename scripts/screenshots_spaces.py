"""Screenshots of 我的空间 and home–school notices on the demo region:

* ``spaces-guardian-phone.png``: the parent's /space/ on a phone, the teacher's new notice unread on top;
* ``spaces-notice-phone.png``: that notice opened by the parent on a phone (回执 button);
* ``spaces-read-rate.png``: the teacher's sent notice with its read rate, unread list (masked) and 提醒未读;
* ``spaces-teacher-home.png``: the teacher's /space/ with the 发通知 button and the sent notices' read rates;
* ``spaces-district-read-rate.png``: the bureau's notice to every guardian of its district, with receipts.

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_spaces.py [--out docs/screenshots] [--port 8781]

The notices are sent through ``spaces.services`` before the browser starts; some recipients are marked as having
read them (a class through ``receipt_read``, the district in bulk) so the read rates look like a day later.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir, phone_page, shot


def notices_send() -> tuple[int, int]:
    """(the teacher's class notice, the bureau's district notice), with readers."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from zhijiao.access.roles import Role
    from zhijiao.access.scope import scope_for
    from zhijiao.identity.models import Account
    from zhijiao.spaces import services
    from zhijiao.spaces.models import Notice, NoticeReceipt

    HUEY.immediate = True  # the district's fan-out job runs here, as the worker would
    settings.ZHIJIAO_NOTICE_CHANNELS = ["inapp", "sms"]
    teacher, banzhuren, parent, bureau = (
        Account.objects.get(username=u) for u in ("teacher", "banzhuren", "parent", "bureau")
    )
    Notice.objects.filter(sender__in=[teacher, banzhuren, bureau]).delete()  # a re-run starts over
    klass = parent.person.wards.select_related("student__school_class").order_by("student_id")[0].student.school_class
    earlier = services.notice_send(
        actor=banzhuren,
        title="期中家长会安排",
        body="各位家长：本学期期中家长会定于下周三下午三点在本班教室召开，请准时参加。",
        audience_kind="class",
        node_id=klass.pk,
    )
    services.receipt_read(actor=parent, notice_id=earlier.pk)
    notice = services.notice_send(
        actor=teacher,
        title="关于本周五秋游活动的通知",
        body="各位家长：\n本周五（12月11日）组织学生到植物园秋游，早上 8:00 在校门口集合，下午 3:30 返校。"
        "请为孩子准备午餐和饮用水，穿运动鞋。\n请于周四中午前点击“确认收到”回执，并留言是否同意孩子参加。",
        audience_kind="class",
        node_id=klass.pk,
        needs_confirm=True,
        deadline=timezone.now() + timedelta(days=3),
    )
    others = list(NoticeReceipt.objects.filter(notice=notice).exclude(account=parent).select_related("account"))
    for i, r in enumerate(others):
        if i % 3 != 2:
            services.receipt_read(actor=r.account, notice_id=notice.pk)
        if i % 3 == 0:
            services.receipt_confirm(actor=r.account, notice_id=notice.pk, reply="同意参加")
    services.notice_remind(actor=teacher, notice_id=notice.pk)
    district = services.notice_send(
        actor=bureau,
        title="关于做好寒假学生安全教育的通知",
        body="各位家长：寒假将至，请配合学校做好防溺水、防火、交通安全和网络安全教育，看护好孩子。",
        audience_kind="division",
        node_id=scope_for(bureau).divisions(Role.REGION_ADMIN)[0],
        needs_confirm=True,
    )
    ids = list(NoticeReceipt.objects.filter(notice=district).values_list("pk", flat=True))
    read = ids[: len(ids) * 7 // 10]  # a day later: seven in ten have read it, half of them confirmed
    NoticeReceipt.objects.filter(pk__in=read).update(read_at=timezone.now())
    NoticeReceipt.objects.filter(pk__in=read[::2]).update(confirmed_at=timezone.now())
    return notice.pk, district.pk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8781)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    class_notice, district_notice = notices_send()  # before the browser: Django refuses queries in its event loop
    with demo_server(args.port, tries=5) as base, chromium() as browser:
        page = new_page(browser, height=1000)
        login(page, base, "teacher", accounts["teacher"]["password"])
        shot(page, out / "spaces-read-rate.png", url=f"{base}/space/notices/{class_notice}/")
        shot(page, out / "spaces-teacher-home.png", url=f"{base}/space/", full=False)
        page = new_page(browser, height=900)
        login(page, base, "bureau", accounts["bureau"]["password"])
        shot(page, out / "spaces-district-read-rate.png", url=f"{base}/space/notices/{district_notice}/", full=False)
        phone = phone_page(browser)
        login(phone, base, "parent", accounts["parent"]["password"])
        shot(phone, out / "spaces-guardian-phone.png", url=f"{base}/space/", full=False)
        shot(phone, out / "spaces-notice-phone.png", url=f"{base}/space/notices/{class_notice}/")
    for name in (
        "spaces-read-rate",
        "spaces-teacher-home",
        "spaces-district-read-rate",
        "spaces-guardian-phone",
        "spaces-notice-phone",
    ):
        print("saved", out / f"{name}.png")


if __name__ == "__main__":
    main()

"""A notice to every guardian of a district (≈ 95,000) fanned out with read receipts: seconds, on SQLite.

    uv run python benchmarks/notice_fanout.py [--pupils 95000] [--home DIR] [--database-url postgres://…]

Steps: a fresh ``$ZHIJIAO_HOME`` (temporary unless ``--home``), migrations, one district's registry written in bulk
(``account_provisioning._build``: schools, classes of 45, one guardian per pupil) and an account per guardian
(``bulk_create``, not timed). Then, timed: a 区域管理员 sends a notice to the district's guardians through
``spaces.services.notice_send`` (audience resolution, publishing, and the Huey fan-out job run in-process as the
worker would — ``HUEY.immediate``), the read-rate aggregate, the unread list page, and 提醒未读 to everyone through
the in-app and SMS channels. Exits non-zero when a receipt is missing or the fan-out takes 30 s or more.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from account_provisioning import _build, _setup

TARGET_S = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=95_000)
    parser.add_argument("--home")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="zhijiao-bench-notices-"))
    home.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    try:
        _setup(home, args.database_url)
        from django.conf import settings
        from django.db import connection
        from huey.contrib.djhuey import HUEY

        from zhijiao.access.roles import Role
        from zhijiao.core.models import OutboxMessage
        from zhijiao.identity.models import Account
        from zhijiao.identity.services import account_create, role_grant
        from zhijiao.org.models import Division
        from zhijiao.people.models import Guardianship
        from zhijiao.spaces import selectors, services
        from zhijiao.spaces.models import NoticeReceipt

        started = time.perf_counter()
        built = _build(args.pupils, 1.0)
        guardians = list(Guardianship.objects.values_list("guardian_id", flat=True).distinct())
        Account.objects.bulk_create(
            [
                Account(username=f"g{pid}", person_id=pid, password="!", mobile=f"136{pid % 10**8:08d}")  # noqa: S106
                for pid in guardians
            ],
            batch_size=5_000,
        )
        bureau = account_create(username="bench-bureau", password="Bench-pass-2026")  # noqa: S106
        role_grant(account=bureau, role=Role.REGION_ADMIN, division=Division.objects.get(pk="420112"))
        print(
            f"数据库：{connection.vendor}；登记数据（不计入）：{built}，家长账号 {len(guardians):,}，"
            f"用时 {time.perf_counter() - started:.1f} s"
        )

        HUEY.immediate = True  # the fan-out job runs in-process after commit, as the worker would
        settings.ZHIJIAO_NOTICE_CHANNELS = ["inapp", "sms"]
        t0 = time.perf_counter()
        notice = services.notice_send(
            actor=bureau,
            title="关于寒假安全教育的通知",
            body="各位家长：寒假将至，请配合学校做好孩子的安全教育。",
            audience_kind="division",
            node_id="420112",
            recipients="guardians",
            needs_confirm=True,
        )
        fanout_s = time.perf_counter() - t0
        notice.refresh_from_db()
        receipts = NoticeReceipt.objects.filter(notice=notice).count()
        print(
            f"发通知并写回执：{receipts:,} 份，用时 {fanout_s:.1f} s（{receipts / fanout_s:,.0f} 份/秒）；"
            f"目标 < {TARGET_S:.0f} s"
        )
        if receipts != len(guardians) or notice.delivered_count != receipts:
            failures.append(f"应写 {len(guardians)} 份回执，实为 {receipts}（进度 {notice.delivered_count}）")
        if fanout_s >= TARGET_S:
            failures.append(f"扇出用时 {fanout_s:.1f} s，未达 < {TARGET_S:.0f} s")

        # a tenth of the guardians read it
        ids = list(NoticeReceipt.objects.filter(notice=notice).values_list("pk", flat=True)[::10])
        NoticeReceipt.objects.filter(pk__in=ids).update(read_at=notice.published_at)
        t0 = time.perf_counter()
        rate = selectors.notice_read_rate(actor=bureau, notice=notice)
        rate_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        rows = selectors.notice_unread(actor=bureau, notice=notice)
        unread_ms = (time.perf_counter() - t0) * 1000
        print(
            f"阅读率：{rate.read:,}/{rate.total:,}（{rate.read_percent}%），查询 {rate_ms:.0f} ms；"
            f"未读名单前 {len(rows)} 人 {unread_ms:.0f} ms"
        )
        t0 = time.perf_counter()
        reached = services.notice_remind(actor=bureau, notice_id=notice.pk)
        remind_s = time.perf_counter() - t0
        print(f"提醒未读：{reached}，用时 {remind_s:.1f} s；待发短信 {OutboxMessage.objects.count():,} 条")
    finally:
        if not args.home:
            shutil.rmtree(home, ignore_errors=True)
    for failure in failures:
        print(f"失败：{failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

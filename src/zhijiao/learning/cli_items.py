"""``zhijiao learning items import|export``: the item bank's bulk exchange from the command line.

* ``items import FILE --user USERNAME [--stage 3 --subject 14 --grade G --sharing school] [--json]``: an xlsx (one row
  per item) or a QTI 3.0 zip, written as USERNAME (the items belong to that account's school or bureau, as in the
  page). Prints ``{"rows_in","imported","duplicate","rejected","rows":[…]}`` with ``--json``; exit 2 when the file
  is unusable.
* ``items export OUT.zip --user USERNAME [--subject 14 --stage 3 --mine]``: the items USERNAME sees, as QTI 3.0.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.learning import selectors, transfer

ORIGIN = Origin(channel="cli")


def items_arguments(sub: argparse._SubParsersAction) -> None:
    items = sub.add_parser("items", help="题库：批量导入（xlsx、QTI 3.0）与导出（QTI 3.0）")
    actions = items.add_subparsers(dest="items_action", required=True)
    imp = actions.add_parser("import", help="导入 xlsx 表格或 QTI 3.0 题目包")
    imp.add_argument("file", help="文件（.xlsx 或 .zip）")
    imp.add_argument("--user", required=True, help="以哪个账号导入（试题归该账号的学校或教育局）")
    imp.add_argument("--stage", default="3", help="QTI 题目包的学段代码（默认 3 初中）")
    imp.add_argument("--subject", default="14", help="QTI 题目包的学科代码（默认 14 数学）")
    imp.add_argument("--grade", default="", help="QTI 题目包的年级代码（可不填）")
    imp.add_argument("--sharing", default="school", help="QTI 题目包的共享范围（school/district/city/public）")
    imp.add_argument("--json", action="store_true", help="以 JSON 输出")
    exp = actions.add_parser("export", help="导出为 QTI 3.0 题目包")
    exp.add_argument("out", help="输出文件（.zip）")
    exp.add_argument("--user", required=True, help="以哪个账号导出（导出该账号能看到的试题）")
    exp.add_argument("--stage", default="", help="学段代码")
    exp.add_argument("--subject", default="", help="学科代码")
    exp.add_argument("--mine", action="store_true", help="只导出该账号出的题")


def items_handle(command: BaseCommand, opts: dict[str, Any]) -> None:
    account = Account.objects.filter(username=opts["user"]).first()
    if account is None:
        raise CommandError(f"没有账号 {opts['user']}", returncode=2)
    if opts["items_action"] == "export":
        filters = selectors.ItemFilters(stage=opts["stage"], subject=opts["subject"], mine=opts["mine"])
        items = list(selectors.item_list(actor=account, filters=filters))
        Path(opts["out"]).write_bytes(transfer.items_export_qti(actor=account, items=items, origin=ORIGIN))
        command.stdout.write(f"已导出 {len(items)} 道题：{opts['out']}")
        return
    path = Path(opts["file"])
    if not path.is_file():
        raise CommandError(f"文件不存在：{path}", returncode=2)
    try:
        if path.suffix.lower() == ".zip":
            result = transfer.items_import_qti(
                actor=account,
                data=path.read_bytes(),
                origin=ORIGIN,
                stage=opts["stage"],
                subject=opts["subject"],
                grade=opts["grade"],
                sharing=opts["sharing"],
            )
        else:
            result = transfer.items_import_xlsx(actor=account, data=path.read_bytes(), origin=ORIGIN)
    except ZhijiaoError as exc:
        raise CommandError(exc.message, returncode=2 if exc.status == 400 else 1) from exc
    if opts["json"]:
        rows = [
            {
                "row": r.row,
                "outcome": r.outcome,
                "item_id": r.item_id,
                "duplicate_of": r.duplicate_of,
                "problems": [f"{label}：{reason}" for label, reason in r.problems],
            }
            for r in result.rows
        ]
        command.stdout.write(json.dumps({**result.summary, "rows": rows}, ensure_ascii=False))
        return
    s = result.summary
    command.stdout.write(f"共 {s['rows_in']} 行：导入 {s['imported']}，重复 {s['duplicate']}，有错误 {s['rejected']}")
    for r in result.rows:
        if r.outcome == "rejected":
            command.stdout.write(f"  第 {r.row} 行：" + "；".join(f"{a}：{b}" for a, b in r.problems))

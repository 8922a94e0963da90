"""``zhijiao learning refit``: run the diagnosis refit now, in this process (the demo builder, operators).

* ``refit --assignment ID [--assignment ID …] [--json]``: the given assignments, in the order given;
* ``refit --all [--json]``: every assignment with marked submissions, oldest first (homework then updates the
  exams' estimates in the order the pupils did them).

Prints one line per assignment (``--json``: a list of ``{"assignment","model","pupils","points","changes",
"reports","seconds"}``). Exit 2 when an assignment does not exist.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhijiao.learning.models import Assignment, Submission
from zhijiao.learning.refit import refit_assignment


def refit_arguments(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("refit", help="学情诊断：立即重新估计掌握度并生成班级学情报告")
    p.add_argument("--assignment", type=int, action="append", default=[], help="作业/考试编号（可重复）")
    p.add_argument("--all", action="store_true", help="所有有已批改作答的作业和考试（按时间先后）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")


def refit_handle(command: BaseCommand, opts: dict[str, Any]) -> None:
    ids: list[int] = list(opts["assignment"])
    if opts["all"]:
        marked = Submission.objects.filter(score__isnull=False).values("assignment_id")
        ids += list(Assignment.objects.filter(pk__in=marked).order_by("opens_at", "pk").values_list("pk", flat=True))
    if not ids:
        raise CommandError("请用 --assignment 指定作业/考试，或用 --all", returncode=2)
    missing = sorted(set(ids) - set(Assignment.objects.filter(pk__in=ids).values_list("pk", flat=True)))
    if missing:
        raise CommandError(f"没有这些作业/考试：{'、'.join(map(str, missing))}", returncode=2)
    out = []
    for assignment_id in dict.fromkeys(ids):
        start = time.perf_counter()
        result = refit_assignment(assignment_id)
        if result is None:
            continue
        row = {**result.__dict__, "seconds": round(time.perf_counter() - start, 2)}
        out.append(row)
        if not opts["json"]:
            command.stdout.write(
                f"作业/考试 {assignment_id}：{row['pupils']} 名学生、{row['points']} 个知识点，"
                f"写入 {row['changes']} 条掌握度变化、{row['reports']} 份班级报告（{row['seconds']} 秒）"
            )
    if opts["json"]:
        command.stdout.write(json.dumps(out, ensure_ascii=False))

"""``zhijiao learning evaluate cdm|kt``: fit a diagnosis model on a public training file and score it on a test file.

* ``evaluate cdm --train TRAIN.csv --test TEST.csv --q Q.txt [--model hybrid|dina|irt] [--json]``
* ``evaluate kt --train TRAIN --test TEST [--model lrgru|lr|bkt] [--format tsv|pykt] [--full-history] [--json]``

Both print ``{"model","auc","acc","rmse","fit_seconds","n_train","n_test"}`` with ``--json``. Exit code 0 done,
2 the files are unusable. Formats: ``zhijiao.learning.diagnosis.evaluate``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.learning.cli_items import items_arguments, items_handle
from zhijiao.learning.cli_refit import refit_arguments, refit_handle
from zhijiao.learning.diagnosis import cdm
from zhijiao.learning.diagnosis.evaluate import KT_MODELS, DataError, evaluate_cdm, evaluate_kt


class Command(BaseCommand):
    help = (
        "精准教学：在公开数据上评估诊断模型（evaluate cdm|kt）；题库导入导出（items import|export）；学情诊断（refit）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="在训练文件上拟合模型，在测试文件上评估")
        kinds = ev.add_subparsers(dest="kind", required=True)
        c = kinds.add_parser("cdm", help="认知诊断：学生 × 题目得分与 Q 矩阵")
        c.add_argument("--train", required=True, help="训练文件（CSV：user_id,item_id,score）")
        c.add_argument("--test", required=True, help="测试文件（同上）")
        c.add_argument("--q", required=True, help="Q 矩阵（每题一行，0/1，以空白分隔）")
        c.add_argument("--model", default="hybrid", choices=list(cdm.MODELS), help="模型（默认 hybrid）")
        c.add_argument("--json", action="store_true", help="以 JSON 输出")
        k = kinds.add_parser("kt", help="知识追踪：按时间顺序的作答记录")
        k.add_argument("--train", required=True, help="训练文件（TSV：user_id item_id timestamp correct skill_id）")
        k.add_argument("--test", required=True, help="测试文件（同上，学生与训练文件不同）")
        k.add_argument("--model", default="lrgru", choices=list(KT_MODELS), help="模型（默认 lrgru）")
        k.add_argument("--format", default="tsv", choices=["tsv", "pykt"], help="文件格式（默认 tsv）")
        k.add_argument(
            "--full-history",
            action="store_true",
            help="pykt 格式：不按 200 条切分测试序列（默认按 pyKT 的评估方式切分）",
        )
        k.add_argument("--json", action="store_true", help="以 JSON 输出")
        items_arguments(sub)  # zhijiao learning items import|export (the item bank, learning.cli_items)
        refit_arguments(sub)  # zhijiao learning refit (the diagnosis, learning.cli_refit)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "items":
            return items_handle(self, opts)
        if opts["action"] == "refit":
            return refit_handle(self, opts)
        try:
            paths = [Path(opts[k]) for k in ("train", "test", "q") if opts.get(k)]
            for path in paths:
                if not path.is_file():
                    raise CommandError(f"文件不存在：{path}", returncode=2)
            if opts["kind"] == "cdm":
                result = evaluate_cdm(Path(opts["train"]), Path(opts["test"]), Path(opts["q"]), opts["model"])
            else:
                result = evaluate_kt(
                    Path(opts["train"]),
                    Path(opts["test"]),
                    opts["model"],
                    opts["format"],
                    None if opts["full_history"] else 200,
                )
        except DataError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                f"模型 {result['model']}：AUC {result['auc']:.4f}，准确率 {result['acc']:.4f}，"
                f"均方根误差 {result['rmse']:.4f}，拟合 {result['fit_seconds']:.1f} 秒"
                f"（训练 {result['n_train']} 条，测试 {result['n_test']} 条）"
            )

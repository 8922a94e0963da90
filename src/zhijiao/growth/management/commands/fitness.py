"""``zhijiao fitness score|tables``: 国家学生体质健康标准 scoring from a shell.

* ``score IN OUT [--json]``: IN is a device export or class sheet (.xlsx/.csv, one row per pupil and test); OUT
  (.xlsx/.csv) gets every row: each item's score, BMI band, 标准分, 附加分, 学年总分 and 等级, or the reason it was
  not scored. ``--json`` prints ``{"rows_in", "scored", "rejected", "rejected_rows": [...]}``. Exit 0 all
  scored, 1 some rows rejected, 2 unusable input.
* ``report IN [--by 年级|班级|学校|性别] [--out FILE] [--json]``: score IN, then 人数, levels, 优良率, 及格率,
  肥胖率 and the mean 学年总分 per group and in total (rejected rows are not counted).
* ``tables list [--json]``: the tables in use, their source status and doubts.
* ``tables check FILE`` / ``tables load FILE``: validate (and keep) a bureau's replacement tables (JSON in the
  layout of ``growth/data/fitness/single_items.json`` / ``bmi.json``).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.core.errors import ZhijiaoError
from zhijiao.growth.fitness import GRADE_NAMES, standard_load, tables_validate
from zhijiao.growth.tabular import report_frame, score_file, write_table


def override_dir() -> Path:
    return Path(settings.HOME) / "fitness"


class Command(BaseCommand):
    help = "体质健康：按《国家学生体质健康标准》评分（score），查看、核验、载入评分表（tables）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help="为测试成绩文件评分（.xlsx 或 .csv）")
        score.add_argument("infile", help="成绩文件：每行一名学生，含学籍号（或行号）、性别、年级与各项成绩")
        score.add_argument("outfile", help="输出文件（.xlsx 或 .csv）")
        score.add_argument("--json", action="store_true", help="以 JSON 输出行数与未评分的原因")
        report = sub.add_parser("report", help="评分并按年级、班级、学校或性别统计优良率、及格率、肥胖率")
        report.add_argument("infile", help="成绩文件（与 score 相同）")
        report.add_argument("--by", default="年级", help="按哪一列统计：年级（默认）、班级、学校、性别")
        report.add_argument("--out", default="", help="另存统计表（.xlsx 或 .csv）")
        report.add_argument("--json", action="store_true", help="以 JSON 输出")
        tables = sub.add_parser("tables", help="评分表：list 查看，check 核验，load 载入替换表")
        tables.add_argument("what", choices=["list", "check", "load"])
        tables.add_argument("file", nargs="?", help="替换用的评分表文件（JSON）")
        tables.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "_" + opts["action"])(opts)
        except ZhijiaoError as exc:
            raise CommandError(exc.message, returncode=2) from exc

    def _score(self, opts: dict[str, Any]) -> None:
        src, dst = Path(opts["infile"]), Path(opts["outfile"])
        if not src.is_file():
            raise CommandError(f"文件不存在：{src}", returncode=2)
        if dst.suffix.lower() not in {".xlsx", ".csv"}:
            raise CommandError("输出文件应以 .xlsx 或 .csv 结尾", returncode=2)
        result = score_file(standard_load(override_dir()), src.read_bytes(), src.name)
        write_table(result.frame, dst)
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(
                f"{src.name}：共 {result.rows_in} 行，已评分 {result.scored} 行，未评分 {result.rejected} 行；"
                f"结果已写入 {dst}"
            )
            for p in result.problems[:50]:
                self.stdout.write(f"  ✗ {p.text}")
            if len(result.problems) > 50:
                self.stdout.write(f"  …… 另有 {len(result.problems) - 50} 处，见输出文件的“未评分原因”列")
            if result.pending_tables:
                self.stdout.write("注意：以下评分表尚未与官方文件核对：" + "；".join(result.pending_tables))
        if result.rejected:
            sys.stdout.flush()
            raise SystemExit(1)

    def _report(self, opts: dict[str, Any]) -> None:
        src = Path(opts["infile"])
        if not src.is_file():
            raise CommandError(f"文件不存在：{src}", returncode=2)
        result = score_file(standard_load(override_dir()), src.read_bytes(), src.name)
        table = report_frame(result, opts["by"])
        if opts["out"]:
            write_table(table, Path(opts["out"]))
        if opts["json"]:
            payload = {"rows_in": result.rows_in, "scored": result.scored, "rejected": result.rejected}
            self.stdout.write(json.dumps({**payload, "groups": table.to_dicts()}, ensure_ascii=False))
            return
        self.stdout.write(
            f"{src.name}：共 {result.rows_in} 行，已评分 {result.scored} 行，未评分 {result.rejected} 行（不计入统计）"
        )
        with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
            self.stdout.write(str(table))

    def _tables(self, opts: dict[str, Any]) -> None:
        what = opts["what"]
        if what == "list":
            std = standard_load(override_dir())
            rows = [
                {
                    "item": t.item, "name": std.name(t.item), "grade": GRADE_NAMES[t.grade], "sex": t.sex,
                    "status": t.status, "source": t.source, "doubt": t.doubt,
                }
                for t in sorted(std.tables.values(), key=lambda t: (t.grade, t.sex, t.item))
            ]  # fmt: skip
            if opts["json"]:
                self.stdout.write(json.dumps({"tables": rows, "replaced": std.replaced}, ensure_ascii=False, indent=1))
                return
            for r in rows:
                doubt = f"  疑点：{r['doubt']}" if r["doubt"] else ""
                self.stdout.write(f"{r['grade']} {r['sex']} {r['name']}：{r['status']}{doubt}")
            missing = [
                f"{GRADE_NAMES[g]}{s}生（{'、'.join(std.name(i) for i in items)}）"
                for (g, s) in sorted(std.weights, key=lambda k: (k[0], k[1] != "男"))
                if (items := std.missing_tables(g, s))
            ]
            if missing:
                self.stdout.write("尚缺评分表（这些学生暂不能评分）：" + "；".join(missing))
            return
        if not opts["file"]:
            raise CommandError("请给出评分表文件", returncode=2)
        path = Path(opts["file"])
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"评分表文件无法读取：{exc}", returncode=2) from exc
        errors = tables_validate(payload)
        if errors:
            if opts["json"]:
                self.stdout.write(json.dumps({"ok": False, "errors": errors}, ensure_ascii=False))
            else:
                self.stdout.write(f"{path.name} 有 {len(errors)} 处问题，未载入：")
                for e in errors:
                    self.stdout.write(f"  ✗ {e}")
            sys.stdout.flush()
            raise SystemExit(1)
        count = len(payload.get("tables") or []) + len(payload.get("bands") or [])
        if what == "load":
            target = override_dir()
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / path.name)
        if opts["json"]:
            self.stdout.write(json.dumps({"ok": True, "tables": count, "loaded": what == "load"}, ensure_ascii=False))
        else:
            verb = "已载入" if what == "load" else "核验通过"
            self.stdout.write(f"{path.name}：{count} 张表{verb}")

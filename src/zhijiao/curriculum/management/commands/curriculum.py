"""``zhijiao curriculum import|export|stats``: the textbook taxonomy from a shell.

* ``import FILE [--json]`` imports a taxonomy file (.xlsx or .csv, layout in ``curriculum.tabular``); all rows
  or none. Exit code 0 imported, 1 rows rejected (each named with its row and column), 2 the file is unusable.
* ``export --edition CODE [--subject S] [--stage S] FILE`` writes the editions with that code in the same layout
  (.xlsx or .csv by the file's name); importing it back changes nothing.
* ``stats [--json] [--per-book]`` prints chapters, sections and knowledge points per edition (or per book).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum import selectors, services
from zhijiao.curriculum.tabular import write_csv, write_xlsx


class Command(BaseCommand):
    help = "课程体系：导入（import）、导出（export）教材版本的章节与知识点，统计（stats）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入课程体系文件（.xlsx 或 .csv）：全部行无误才导入")
        imp.add_argument("file", help="文件路径")
        imp.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        exp = sub.add_parser("export", help="导出一个教材版本（与导入的格式相同）")
        exp.add_argument("--edition", required=True, help="版本代码，如 pep")
        exp.add_argument("--subject", default="", help="学科（名称或代码），同一代码有多个学科时选一个")
        exp.add_argument("--stage", default="", help="学段（名称或代码）")
        exp.add_argument("file", help="输出文件（.xlsx 或 .csv）")
        stats = sub.add_parser("stats", help="每个教材版本（或每册）的章、节、知识点数")
        stats.add_argument("--json", action="store_true", help="以 JSON 输出")
        stats.add_argument("--per-book", action="store_true", help="按册列出")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "_" + opts["action"])(opts)
        except ZhijiaoError as exc:
            raise CommandError(exc.message, returncode=2) from exc

    def _import(self, opts: dict[str, Any]) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        result = services.taxonomy_import(data=path.read_bytes(), name=path.name)
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        elif result.ok:
            self.stdout.write(
                f"已导入 {path.name}（{'、'.join(result.editions)}）：共 {result.rows_in} 行，新增 {result.created}，"
                f"更新 {result.updated}，未变 {result.unchanged}"
            )
        else:
            self.stdout.write(f"{path.name} 有 {len(result.errors)} 处需要改正，全部未导入：")
            for e in result.errors:
                self.stdout.write(f"  ✗ {e.text}")
        if not result.ok:
            sys.stdout.flush()
            raise SystemExit(1)

    def _export(self, opts: dict[str, Any]) -> None:
        path = Path(opts["file"])
        suffix = path.suffix.lower()
        if suffix not in {".xlsx", ".csv"}:
            raise CommandError("输出文件应以 .xlsx 或 .csv 结尾", returncode=2)
        editions = services.editions_matching(code=opts["edition"], subject=opts["subject"], stage=opts["stage"])
        rows = services.taxonomy_export_rows(editions)
        path.write_bytes(write_xlsx(rows) if suffix == ".xlsx" else write_csv(rows))
        self.stdout.write(f"已导出 {len(rows)} 行：{path}")

    def _stats(self, opts: dict[str, Any]) -> None:
        books = selectors.taxonomy_stats()
        if opts["json"]:
            self.stdout.write(json.dumps([b.as_dict() for b in books], ensure_ascii=False, indent=1))
        else:
            self.stdout.write(selectors.taxonomy_stats_table(books, per_book=opts["per_book"]))

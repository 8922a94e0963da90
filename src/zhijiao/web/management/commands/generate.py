from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.demo.files import HEADERS, default_title, iter_rows, write_file


class Command(BaseCommand):
    help = "生成模拟的学校导入文件（xlsx 或 csv），可按比例加入真实常见的脏数据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(HEADERS))
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--out", required=True, help="输出文件，.xlsx 或 .csv")
        parser.add_argument("--dirty", type=float, default=0.0, help="脏数据比例 0–1，每行至多一个问题")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--title",
            nargs="?",
            const="",
            default=None,
            help="在表头上方加一行标题（xlsx 中跨列合并）；不给文字时按“区县+类型+信息登记表（学年）”生成",
        )
        parser.add_argument(
            "--encoding", default="utf-8-sig", choices=["utf-8-sig", "utf-8", "gb18030"], help="csv 文件编码"
        )

    def handle(self, *args, **opts) -> None:
        if opts["rows"] < 1:
            raise CommandError("--rows 至少为 1")
        try:
            stream = iter_rows(opts["kind"], opts["rows"], dirty=opts["dirty"], seed=opts["seed"])
            title = opts["title"]
            if title == "":
                title = default_title(opts["kind"], stream.universe)
            write_file(Path(opts["out"]), opts["kind"], stream, title=title, encoding=opts["encoding"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已生成 {opts['kind']} {opts['rows']} 行（含脏数据 {stream.defects} 行）→ {opts['out']}")

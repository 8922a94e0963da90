from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.demo.files import HEADERS, generate_rows, write_file


class Command(BaseCommand):
    help = "生成模拟的学校导入文件（xlsx 或 csv），可按比例加入真实常见的脏数据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(HEADERS))
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--out", required=True, help="输出文件，.xlsx 或 .csv")
        parser.add_argument("--dirty", type=float, default=0.0, help="脏数据比例 0–1，每行至多一个问题")
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, **opts) -> None:
        if opts["rows"] < 1:
            raise CommandError("--rows 至少为 1")
        try:
            generated = generate_rows(opts["kind"], opts["rows"], dirty=opts["dirty"], seed=opts["seed"])
            write_file(Path(opts["out"]), opts["kind"], generated.rows)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        dirty = sum(1 for d in generated.defects if d)
        self.stdout.write(f"已生成 {opts['kind']} {len(generated.rows)} 行（含脏数据 {dirty} 行）→ {opts['out']}")

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.web.backup import BackupError, platform_restore


class Command(BaseCommand):
    help = "从备份恢复平台数据（先校验备份；请先停止平台服务与后台任务进程）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", help="zhijiao backup 生成的备份目录")
        parser.add_argument("--force", action="store_true", help="目标环境已有数据时仍然覆盖")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        try:
            result = platform_restore(source=Path(opts["dir"]), force=opts["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：备份已校验（{result.files} 个文件），数据库 {result.database} "
                f"{len(result.tables)} 张表共 {sum(result.tables.values())} 行，与备份一致。"
            )
        )
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write("请运行 zhijiao check 确认数据完整性（含审计日志哈希链与锚点），再启动平台。")

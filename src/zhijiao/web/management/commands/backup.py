from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.web.backup import BackupError, platform_backup


class Command(BaseCommand):
    help = "备份平台数据（数据库、资源文件、搜索索引、数据仓库、密钥与审计锚点），平台运行中也可执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", help="备份目录（新的或空的目录）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        try:
            result = platform_backup(target=Path(opts["dir"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        mb = result.bytes / (1 << 20)
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{result.dir}\n"
                f"数据库 {result.database}，{len(result.tables)} 张表共 {sum(result.tables.values())} 行；"
                f"{result.files} 个文件，{mb:.1f} MiB，用时 {result.seconds:.1f} 秒。"
            )
        )
        for name in result.skipped:
            self.stdout.write(
                self.style.WARNING(f"{name} 在备份过程中持续变化，未能备份；恢复后请重建（见运维手册）。")
            )

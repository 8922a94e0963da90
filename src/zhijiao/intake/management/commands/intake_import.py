"""``zhijiao import KIND FILE [--school CODE] [--json]``: import a school's file in this process."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhijiao.core.errors import ZhijiaoError
from zhijiao.intake.models import BatchStatus
from zhijiao.intake.pipeline import summary
from zhijiao.intake.services import import_batch_create, import_batch_run
from zhijiao.intake.spec import SPECS


class Command(BaseCommand):
    help = "导入学校数据文件（xlsx/xls/csv）：校验、比对、入库，问题行进入隔离区并生成问题数据报告"

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=list(SPECS), help="数据类型")
        parser.add_argument("file", help="文件路径")
        parser.add_argument("--school", default=None, help="只导入该学校标识码的数据")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **opts) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            batch = import_batch_create(
                actor=None,
                kind=opts["kind"],
                file_name=path.name,
                source=path,
                school_code=opts["school"],
                channel="cli",
            )
            batch = import_batch_run(batch=batch)
        except ZhijiaoError as exc:
            raise CommandError(exc.message) from exc
        result = summary(batch)
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                f"批次 #{batch.pk}（{SPECS[batch.kind].label}）：读入 {batch.rows_in} 行，新增 {batch.created}，"
                f"更新 {batch.updated}，未变 {batch.unchanged}，拒收 {batch.rejected}（其中待比对 {batch.conflicts}），"
                f"警告 {batch.warnings}"
            )
            if result["report"]:
                self.stdout.write(f"问题数据报告：{result['report']}")
        if batch.status != BatchStatus.DONE:
            raise CommandError(batch.error or "导入失败")

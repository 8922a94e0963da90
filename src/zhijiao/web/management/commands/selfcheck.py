from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.web.integrity import integrity_report


class Command(BaseCommand):
    help = "配置与数据完整性自检"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        report = integrity_report()
        if opts["json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in report], ensure_ascii=False))
        else:
            for r in report:
                if not r.ok:
                    mark = self.style.ERROR("异常")
                else:
                    mark = self.style.WARNING("注意") if r.warning else self.style.SUCCESS("通过")
                self.stdout.write(f"[{mark}] {r.title}：{r.detail}")
        if not all(r.ok for r in report):
            raise CommandError("自检发现问题，详见上方。")

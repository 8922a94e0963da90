from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from zhijiao.web.server import run_server


class Command(BaseCommand):
    help = "启动 Web 服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--with-worker", action="store_true", help="同时启动后台任务进程")

    def handle(self, *args, **opts) -> None:
        run_server(
            host=opts["host"],
            port=opts["port"],
            worker=opts["with_worker"],
            threads=opts["threads"],
            stdout=self.stdout,
        )

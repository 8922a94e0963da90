from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from zhijiao.web.server import run_server


class Command(BaseCommand):
    help = "启动 Web 服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="每个进程的线程数")
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="Web 进程数（Linux 上多进程共享同一端口，可用满多核；建议设为 CPU 核数；其他系统为 1）",
        )
        parser.add_argument("--with-worker", action="store_true", help="同时启动后台任务进程")

    def handle(self, *args, **opts) -> None:
        run_server(
            host=opts["host"],
            port=opts["port"],
            worker=opts["with_worker"],
            threads=opts["threads"],
            workers=max(1, opts["workers"]),
            stdout=self.stdout,
        )

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.services import account_unlock


class Command(BaseCommand):
    help = "解除账号的登录锁定（登录失败次数过多被锁定时）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="要解锁的账号名")

    def handle(self, *args, **opts) -> None:
        try:
            cleared = account_unlock(actor=None, username=opts["username"])
        except ZhijiaoError as exc:
            raise CommandError(exc.message) from exc
        note = "" if cleared else "（该账号当前未被锁定）"
        self.stdout.write(self.style.SUCCESS(f"已解锁账号：{opts['username']}{note}"))

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.services import totp_reset


class Command(BaseCommand):
    help = "重置管理员的身份验证器（手机丢失或更换时），其下次登录时须重新绑定"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="管理员账号名")

    def handle(self, *args, **opts) -> None:
        try:
            removed = totp_reset(actor=None, username=opts["username"])
        except ZhijiaoError as exc:
            raise CommandError(exc.message) from exc
        note = "" if removed else "（该账号尚未绑定身份验证器）"
        self.stdout.write(self.style.SUCCESS(f"已重置身份验证器：{opts['username']}{note}，下次登录时须重新绑定"))

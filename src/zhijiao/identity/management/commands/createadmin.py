from __future__ import annotations

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from zhijiao.access.roles import Role
from zhijiao.identity.models import Account
from zhijiao.identity.services import account_create, role_grant


class Command(BaseCommand):
    help = "创建平台管理员账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", help="不提供时交互输入；也可用环境变量 ZHIJIAO_ADMIN_PASSWORD")

    def handle(self, *args, **opts) -> None:
        password = opts["password"] or os.environ.get("ZHIJIAO_ADMIN_PASSWORD") or getpass.getpass("密码：")
        try:
            validate_password(password, user=Account(username=opts["username"], display_name="平台管理员"))
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        with transaction.atomic():
            account = account_create(
                username=opts["username"], password=password, display_name="平台管理员", is_superuser=True
            )
            role_grant(account=account, role=Role.PLATFORM_ADMIN)
        self.stdout.write(self.style.SUCCESS(f"已创建平台管理员：{account.username}"))

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.identity.services import API_SCOPES, api_token_create


class Command(BaseCommand):
    help = "为账号签发 API 令牌（Bearer），令牌只显示一次"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="服务接入")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            metavar="SCOPE",
            help="权限范围，可重复；可选："
            + "、".join(f"{k}（{v}）" for k, v in API_SCOPES.items())
            + "。默认 registry:read；调用资源中心接口（/api/v1/resources）须 --scope resources:read，"
            + "上传、评分、评论再加 --scope resources:write",
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        account = Account.objects.filter(username=opts["username"]).first()
        if account is None:
            raise CommandError(f"账号不存在：{opts['username']}")
        try:
            token, raw = api_token_create(account=account, name=opts["name"], scopes=opts["scopes"])
        except ZhijiaoError as exc:
            raise CommandError(exc.message) from exc
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    {"token": raw, "account": account.username, "name": token.name, "scopes": token.scopes},
                    ensure_ascii=False,
                )
            )
        else:
            scopes = "、".join(token.scopes)
            self.stdout.write(
                f"已为 {account.username} 签发令牌（权限范围：{scopes}；只显示这一次，请妥善保存）：\n{raw}"
            )

"""``zhijiao oidc-keys show|rotate``: the provider's signing keys."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.oidc import keys


class Command(BaseCommand):
    help = "查看或轮换单点登录的签名密钥（RS256）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["show", "rotate"])
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        directory = settings.HOME / "oidc"
        if opts["action"] == "rotate":
            if settings.ZHIJIAO_OIDC_KEYS.source == "env":
                raise CommandError(
                    "签名密钥由环境变量 ZHIJIAO_OIDC_KEY 提供：请在那里更换"
                    "（旧密钥可先保存到 $ZHIJIAO_HOME/oidc/ 继续公布）"
                )
            path = keys.rotate(directory=directory)
            active = keys.kid(path.read_text())
            if opts["json"]:
                self.stdout.write(json.dumps({"active_kid": active, "file": str(path)}))
            else:
                self.stdout.write(
                    f"已生成新的签名密钥 {active}（{path}）。"
                    "重启 Web 服务后生效；旧密钥仍在 JWKS 中公布，已签发的令牌照常验证。"
                )
            return
        current = settings.ZHIJIAO_OIDC_KEYS
        data = {
            "source": current.source,
            "active_kid": keys.kid(current.active),
            "inactive_kids": [keys.kid(pem) for pem in current.inactive],
        }
        if opts["json"]:
            self.stdout.write(json.dumps(data))
        else:
            self.stdout.write(f"当前签名密钥：{data['active_kid']}（{current.source}）")
            for kid in data["inactive_kids"]:
                self.stdout.write(f"已退役、仍公布：{kid}")

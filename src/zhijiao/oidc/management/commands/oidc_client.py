"""``zhijiao oidc-client create|list``: register apps that sign people in through Zhijiao, from the server's shell."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.core.errors import ZhijiaoError
from zhijiao.oidc.models import RegisteredApp
from zhijiao.oidc.services import app_register


class Command(BaseCommand):
    help = "登记或列出通过智教单点登录的应用（OpenID Connect 客户端）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="登记应用；机密客户端的密钥只显示这一次")
        create.add_argument("--name", required=True, help="应用名称")
        create.add_argument(
            "--redirect-uri", action="append", dest="redirect_uris", required=True, help="回调地址，可重复"
        )
        create.add_argument("--public", action="store_true", help="公开客户端（单页或移动应用，无密钥，须用 PKCE）")
        create.add_argument("--trusted", action="store_true", help="受信任应用：不显示授权确认页")
        create.add_argument("--backchannel-logout-uri", default="", help="后端注销地址（接收退出通知）")
        create.add_argument("--post-logout-redirect-uri", action="append", dest="post_logout_uris", default=[])
        create.add_argument("--home-url", default="", help="应用入口")
        create.add_argument("--description", default="")
        create.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="列出已登记的应用")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        if opts["action"] == "create":
            self._create(opts)
        else:
            self._list(opts)

    def _create(self, opts: dict) -> None:
        try:
            app, secret = app_register(
                actor=None,
                name=opts["name"],
                redirect_uris=opts["redirect_uris"],
                public=opts["public"],
                trusted=opts["trusted"],
                backchannel_logout_uri=opts["backchannel_logout_uri"],
                home_url=opts["home_url"],
                description=opts["description"],
                post_logout_redirect_uris=opts["post_logout_uris"],
            )
        except ZhijiaoError as exc:
            raise CommandError(exc.message) from exc
        client_id = app.application.client_id
        if opts["json"]:
            data = {"client_id": client_id} | ({"client_secret": secret} if secret else {})
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"已登记应用「{app.application.name}」\nclient_id：{client_id}")
        if secret:
            self.stdout.write(f"client_secret（只显示这一次，请妥善保存）：{secret}")

    def _list(self, opts: dict) -> None:
        rows = [
            {
                "client_id": app.application.client_id,
                "name": app.application.name,
                "public": app.application.client_type == "public",
                "trusted": app.application.skip_authorization,
                "active": app.is_active,
                "redirect_uris": app.application.redirect_uris.split(),
                "backchannel_logout_uri": app.backchannel_logout_uri,
            }
            for app in RegisteredApp.objects.select_related("application").order_by("application__name")
        ]
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            flags = "、".join(
                label
                for label, on in (("公开", row["public"]), ("受信任", row["trusted"]), ("已停用", not row["active"]))
                if on
            )
            self.stdout.write(f"{row['client_id']}  {row['name']}{f'（{flags}）' if flags else ''}")
        if not rows:
            self.stdout.write("尚未登记应用")

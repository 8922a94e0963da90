"""``zhijiao xapi credentials --app NAME [--read-all] [--base-url URL] --json``: HTTP Basic credentials for the LRS;
``zhijiao xapi retention``: remove the statements older than their app's retention period now (audited)."""

from __future__ import annotations

import json
import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.core.errors import ZhijiaoError
from zhijiao.xapi.operate import retention_apply
from zhijiao.xapi.services import SCOPE_READ, SCOPE_READ_ALL, SCOPE_WRITE, app_for_lrs, credential_issue


class Command(BaseCommand):
    help = "学习记录库（xAPI）：为接入应用签发读写凭据"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        creds = sub.add_parser("credentials", help="为应用签发学习记录库凭据（密钥只显示这一次）")
        creds.add_argument("--app", required=True, help="应用名称（应用登记中没有时自动登记）")
        creds.add_argument("--read-all", action="store_true", help="允许读取所有应用写入的学习记录")
        creds.add_argument(
            "--base-url",
            default=os.environ.get("ZHIJIAO_BASE_URL", "http://127.0.0.1:8000"),
            help="平台对外地址（默认取 ZHIJIAO_BASE_URL）",
        )
        creds.add_argument(
            "--xapi-version", choices=["1.0.3", "2.0.0"], default="2.0.0", help="应用默认使用的 xAPI 版本"
        )
        creds.add_argument("--json", action="store_true")
        sub.add_parser("retention", help="立即按各应用的保留期限删除过期学习记录（每晚 03:50 也会自动执行）")

    def handle(self, *args, **opts) -> None:
        if opts["action"] == "retention":
            removed = retention_apply(actor=None)
            self.stdout.write(f"已按保留期限删除 {removed} 条过期学习记录")
            return
        try:
            app, created = app_for_lrs(name=opts["app"])
        except ZhijiaoError as exc:
            raise CommandError(exc.message) from exc
        scopes = [SCOPE_READ, SCOPE_WRITE] + ([SCOPE_READ_ALL] if opts["read_all"] else [])
        issued = credential_issue(app=app, scopes=scopes, version=opts["xapi_version"])
        endpoint = opts["base_url"].rstrip("/") + "/xapi/"
        if opts["json"]:
            self.stdout.write(json.dumps({"endpoint": endpoint, "key": issued.key, "secret": issued.secret}))
            return
        if created:
            self.stdout.write(f"应用登记中没有「{opts['app']}」，已自动登记（不能用于单点登录，需要时请重置其密钥）")
        self.stdout.write(f"学习记录库地址：{endpoint}\n凭据标识：{issued.key}\n密钥（只显示这一次）：{issued.secret}")

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from zhijiao.rp.oidc import DEFAULT_SCOPE
from zhijiao.rp.registration import credentials_path, demo_rp_register
from zhijiao.rp.server import sample_app_build, sample_app_server


class Command(BaseCommand):
    help = "启动示例应用：通过智教统一身份认证（OpenID Connect）登录，显示身份信息，并演示单点退出"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="示例应用监听的地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8001, help="示例应用的端口（默认 8001）")
        parser.add_argument(
            "--issuer", default="http://127.0.0.1:8000", help="智教的访问地址（默认 http://127.0.0.1:8000）"
        )
        parser.add_argument("--scope", default=DEFAULT_SCOPE, help=f"申请的授权范围（默认 {DEFAULT_SCOPE}）")
        parser.add_argument("--trusted", action="store_true", help="登记为受信任应用（登录时不显示授权确认页）")

    def handle(self, *args, **opts) -> None:
        base_url = f"http://{opts['host']}:{opts['port']}"
        client = demo_rp_register(base_url=base_url, trusted=opts["trusted"])
        self.stdout.write(f"示例应用已登记：client_id={client.client_id}（密钥保存在 {credentials_path()}）")
        app = sample_app_build(client=client, issuer=opts["issuer"], scope=opts["scope"])
        server = sample_app_server(app, host=opts["host"], port=opts["port"])
        self.stdout.write(f"示例应用已启动：{base_url}/  （通过 {opts['issuer']} 登录；Ctrl+C 停止）")
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from zhijiao.demo.setup import demo_prepare
from zhijiao.web.server import run_server


class Command(BaseCommand):
    help = "准备演示区域（迁移、生成数据、演示账号）并启动服务"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--scale", choices=["small", "district", "city"], default="small")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--reset", action="store_true", help="清空数据后重新生成")
        parser.add_argument("--setup-only", action="store_true", help="只准备数据，不启动服务")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, **opts) -> None:
        result = demo_prepare(scale=opts["scale"], seed=opts["seed"], reset=opts["reset"], progress=self.stdout.write)
        if result.built and result.stats:
            s = result.stats
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示区域已生成，用时 {result.seconds:.1f} 秒：{s.schools} 所学校，{s.classes} 个班级"
                    f"（大班额 {s.oversized_classes} 个），{s.students} 名学生，"
                    f"{s.guardians} 名监护人，{s.staff} 名教职工。"
                )
            )
        else:
            self.stdout.write("已有数据，跳过生成（使用 --reset 重新生成）。")
        if result.accounts:
            self.stdout.write(f"\n演示账号（{result.accounts_file}）：")
            for a in result.accounts:
                twofactor = "  需两步验证" if a.get("totp_secret") else ""
                self.stdout.write(
                    f"  {a['username']:<10} {a['role_label']:<6} {a['name']:<6} {a['scope_name']}{twofactor}"
                )
            self.stdout.write(f"  密码：{result.accounts[0]['password']}")
            self.stdout.write(
                "  管理员账号登录时还须输入动态口令：将文件中的 totp_secret 添加到身份验证器"
                "（如 Microsoft Authenticator、FreeOTP），或用脚本计算。\n"
            )
        if not opts["setup_only"]:
            run_server(host=opts["host"], port=opts["port"], worker=not opts["no_worker"], stdout=self.stdout)

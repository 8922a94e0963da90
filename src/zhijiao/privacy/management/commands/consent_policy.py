from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.org.models import Division
from zhijiao.privacy.models import ConsentPolicy
from zhijiao.privacy.services import consent_policy_set


class Command(BaseCommand):
    help = "设置或查看未成年人数据授权策略：某行政区划内不满规定年龄的学生，第三方应用获取其信息前是否须经监护人同意"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("division", nargs="?", help="行政区划代码（如 420112）；省略则列出全部策略")
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument("--on", action="store_true", help="须经监护人同意")
        choice.add_argument("--off", action="store_true", help="无需监护人同意")

    def handle(self, *args, **opts) -> None:
        code = opts["division"]
        if not code:
            for policy in ConsentPolicy.objects.select_related("division").order_by("division_id"):
                state = "须监护人同意" if policy.require_app_consent else "无需同意"
                self.stdout.write(f"{policy.division_id} {policy.division.name}：{state}")
            return
        division = Division.objects.filter(pk=code).first()
        if division is None:
            raise CommandError(f"行政区划代码不存在：{code}")
        if not (opts["on"] or opts["off"]):
            raise CommandError("请指定 --on（须监护人同意）或 --off（无需同意）")
        consent_policy_set(actor=None, division=division, require_app_consent=bool(opts["on"]))
        state = "须监护人同意" if opts["on"] else "无需同意"
        self.stdout.write(self.style.SUCCESS(f"已设置 {division.code} {division.name}：{state}"))

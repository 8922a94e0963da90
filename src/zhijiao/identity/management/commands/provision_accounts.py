"""``zhijiao accounts sync|activation-codes``: account provisioning and activation codes from the operator's shell."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.activation import activation_codes_issue, activation_slips_xlsx
from zhijiao.identity.provisioning import accounts_sync
from zhijiao.org.models import School, SchoolClass


class Command(BaseCommand):
    help = "从登记信息开通、停用账号并生成角色授权（sync），或为学校未激活的账号签发激活码（activation-codes）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        sync = sub.add_parser("sync", help="按登记信息同步账号与授权（可重复运行）", called_from_command_line=True)
        sync.add_argument("--school", metavar="CODE", help="只同步该学校（学校标识码）相关的人员")
        sync.add_argument("--json", action="store_true", help="以 JSON 输出统计结果")
        codes = sub.add_parser(
            "activation-codes", help="为学校尚未激活的账号签发激活码并写入 xlsx", called_from_command_line=True
        )
        codes.add_argument("--school", metavar="CODE", required=True, help="学校标识码")
        codes.add_argument("--class", dest="class_id", metavar="ID", type=int, help="只签发该班级（班级ID）")
        codes.add_argument("--out", metavar="FILE.xlsx", required=True, help="输出文件")

    def handle(self, *args, **opts) -> None:
        school = None
        if opts.get("school"):
            school = School.objects.filter(code=opts["school"].strip()).first()
            if school is None:
                raise CommandError(f"未找到学校：{opts['school']}")
        try:
            if opts["action"] == "sync":
                self._sync(school, as_json=opts["json"])
            else:
                assert school is not None  # --school is required
                self._codes(school, opts.get("class_id"), Path(opts["out"]))
        except ZhijiaoError as exc:
            raise CommandError(exc.message) from exc

    def _sync(self, school: School | None, *, as_json: bool) -> None:
        result = accounts_sync(actor=None, school=school)
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        where = school.name if school else "全部学校"
        self.stdout.write(self.style.SUCCESS(f"{where}：{result.summary()}（用时 {result.seconds:.1f} 秒）"))

    def _codes(self, school: School, class_id: int | None, out: Path) -> None:
        school_class = None
        if class_id is not None:
            school_class = SchoolClass.objects.filter(school=school, pk=class_id).first()
            if school_class is None:
                raise CommandError(f"{school.name} 没有ID为 {class_id} 的班级")
        slips = activation_codes_issue(actor=None, school=school, school_class=school_class)
        out.parent.mkdir(parents=True, exist_ok=True)
        activation_slips_xlsx(slips, out, school=school)
        self.stdout.write(self.style.SUCCESS(f"{school.name}：已为 {len(slips)} 个未激活账号签发激活码，写入 {out}"))

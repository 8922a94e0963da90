"""``zhijiao lottery draw|verify``: the auditable admission lottery from a shell, no database needed.

* ``draw --applicants CSV --seats N --public-input TEXT --out DIR [--title T] [--json]`` draws and writes
  ``applicants.csv``, ``inputs.json``, ``result.csv`` and ``SHA256SUMS`` to DIR (procedure: ``services.lottery``).
* ``verify DIR [--json]`` re-runs the draw from DIR's own inputs and compares every byte of every file.

Exit code 0 done / all bytes match, 1 a file differs, 2 unusable input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.services import lottery


class Command(BaseCommand):
    help = "电脑派位：抽签（draw）并写出结果与哈希；复核（verify）已公布的结果"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("draw", help="按公开数据抽签，结果、输入与哈希写到目录")
        d.add_argument("--applicants", required=True, help="报名名单 CSV（UTF-8，含“报名编号”列，可含“姓名”列）")
        d.add_argument("--seats", required=True, type=int, help="招生名额")
        d.add_argument("--public-input", required=True, help='公开数据，如 "9319 / {2 5 12 27 33 40 42}"')
        d.add_argument("--out", required=True, help="输出目录")
        d.add_argument("--title", default="", help="派位名称（写入 inputs.json）")
        d.add_argument("--json", action="store_true", help="以 JSON 输出")
        v = sub.add_parser("verify", help="按目录中公布的数据重新抽签，逐字节核对")
        v.add_argument("dir", help="公布结果所在目录")
        v.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, "_" + opts["action"])(opts)

    def _draw(self, opts: dict[str, Any]) -> None:
        path = Path(opts["applicants"])
        if not path.is_file():
            raise CommandError(f"名单文件不存在：{path}", returncode=2)
        try:
            applicants = lottery.parse_applicants(path.read_bytes())
            result = lottery.draw(
                applicants, seats=opts["seats"], public_input=opts["public_input"], title=opts["title"]
            )
        except lottery.LotteryInputError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        out = Path(opts["out"])
        lottery.write(result, out)
        summary = {
            "dir": str(out),
            "applicants": len(result.order),
            "seats": result.seats,
            "commitment": result.commitment,
            "seed": result.seed_hex,
            "sha256": {name: lottery.sha256_hex(data) for name, data in result.files.items()},
        }
        if opts["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self.stdout.write(
                f"已抽签：{len(result.order)} 名申请人，{result.seats} 个名额，结果写入 {out}\n"
                f"承诺值 {result.commitment}\n种子 {result.seed_hex}"
            )

    def _verify(self, opts: dict[str, Any]) -> None:
        directory = Path(opts["dir"])
        if not directory.is_dir():
            raise CommandError(f"目录不存在：{directory}", returncode=2)
        problems = lottery.verify(directory)
        if opts["json"]:
            self.stdout.write(json.dumps({"ok": not problems, "problems": problems}, ensure_ascii=False))
        elif not problems:
            self.stdout.write(f"复核通过：{directory} 中的 {len(lottery.FILES)} 个文件与重新抽签的结果逐字节一致")
        else:
            self.stderr.write("复核未通过：\n" + "\n".join(f"  {p}" for p in problems))
        if problems:
            raise SystemExit(1)

"""``zhijiao resources import-package|export-jsonld|reindex|library|template``: the resource centre from a shell.

* ``import-package ZIP [--account USER] [--skip-bad] [--submit|--publish] [--json]`` imports a package (zip with
  ``manifest.csv``); exit code 0 all rows accepted, 1 rows rejected, 2 the package or the arguments are unusable.
* ``export-jsonld [--out FILE]`` writes every published resource as one JSON-LD ``@graph`` (schema.org / LRMI).
* ``reindex`` rebuilds the search index from the published resources.
* ``library [--count N] [--seed S]`` generates the demo resource library into the demo region.
* ``template [--out FILE]`` writes a manifest template (CSV, UTF-8 with BOM).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account


class Command(BaseCommand):
    help = (
        "资源中心：导入资源包（import-package）、导出 JSON-LD 元数据（export-jsonld）、重建索引（reindex）、"
        "生成演示资源库（library）、清单模板（template）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-package", help="导入资源包：zip 内含 manifest.csv 清单和资源文件")
        imp.add_argument("zip", help="资源包（.zip）路径")
        imp.add_argument("--account", default="", help="以该账号导入（清单未填作者账号的行以此账号为作者）")
        imp.add_argument("--skip-bad", action="store_true", help="跳过有误的行，导入其余各行（默认整包拒收）")
        imp.add_argument("--submit", action="store_true", help="导入后提交审核")
        imp.add_argument("--publish", action="store_true", help="导入后直接发布（仅区域管理员、平台管理员）")
        imp.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        exp = sub.add_parser("export-jsonld", help="把所有已发布资源导出为 JSON-LD（schema.org LearningResource）")
        exp.add_argument("--out", default="", help="输出文件（默认标准输出）")
        exp.add_argument("--base-url", default="", help="资源链接的站点地址，如 https://edu.example.cn")
        sub.add_parser("reindex", help="从已发布的资源重建搜索索引")
        lib = sub.add_parser("library", help="在演示区域生成演示资源库")
        lib.add_argument("--count", type=int, default=5000, help="已发布资源数（默认 5000）")
        lib.add_argument("--seed", type=int, default=42)
        tpl = sub.add_parser("template", help="导出资源包清单模板（CSV）")
        tpl.add_argument("--out", default="manifest.csv")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "_" + opts["action"].replace("-", "_"))(opts)
        except ZhijiaoError as exc:
            raise CommandError(exc.message, returncode=2) from exc

    def _import_package(self, opts: dict[str, Any]) -> None:
        from zhijiao.resources.package import package_import

        path = Path(opts["zip"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=2)
        if opts["submit"] and opts["publish"]:
            raise CommandError("--submit 与 --publish 只能选一个", returncode=2)
        actor = None
        if opts["account"]:
            actor = Account.objects.filter(username=opts["account"], is_active=True).first()
            if actor is None:
                raise CommandError(f"账号不存在或已停用：{opts['account']}", returncode=2)
        with path.open("rb") as f:
            result = package_import(
                actor=actor,
                source=f,
                origin=Origin(channel="cli"),
                skip_bad=opts["skip_bad"],
                submit=opts["submit"],
                publish=opts["publish"],
            )
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            c = result.counts
            self.stdout.write(
                f"资源包 {path.name}：共 {c['total']} 行，新增 {c['created']}，更新 {c['updated']}，"
                f"未变 {c['unchanged']}，拒收 {c['rejected']}"
            )
            for e in result.errors:
                self.stdout.write(f"  ✗ {e['message']}")
            for w in result.warnings:
                self.stdout.write(f"  ! {w['message']}")
            if not result.ok and not result.fatal and not opts["skip_bad"]:
                self.stdout.write("有误的行导致整包未导入；改正后重新导入，或加 --skip-bad 只导入无误的行。")
        if result.exit_code:
            sys.stdout.flush()
            raise SystemExit(result.exit_code)

    def _export_jsonld(self, opts: dict[str, Any]) -> None:
        from zhijiao.resources.jsonld import jsonld_graph_published

        graph = jsonld_graph_published(base_url=opts["base_url"])
        text = json.dumps(graph, ensure_ascii=False, indent=1)
        if opts["out"]:
            Path(opts["out"]).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"已导出 {len(graph['@graph'])} 条已发布资源的 JSON-LD：{opts['out']}")
        else:
            self.stdout.write(text)

    def _reindex(self, opts: dict[str, Any]) -> None:
        from django.core.management import call_command

        call_command("resources_reindex", stdout=self.stdout)

    def _library(self, opts: dict[str, Any]) -> None:
        from zhijiao.demo.resources import demo_library

        started = time.monotonic()
        stats = demo_library(published=opts["count"], seed=opts["seed"], progress=self.stdout.write)
        self.stdout.write(f"演示资源库：{stats.summary()}，用时 {time.monotonic() - started:.1f} 秒")

    def _template(self, opts: dict[str, Any]) -> None:
        from zhijiao.resources.package_manifest import manifest_template

        Path(opts["out"]).write_bytes(manifest_template())
        self.stdout.write(f"已写出清单模板：{opts['out']}")

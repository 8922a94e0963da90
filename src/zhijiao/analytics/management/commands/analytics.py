"""``zhijiao analytics snapshot|metrics|list|sql|warnings``: the warehouse and its metrics from the command line.

* ``snapshot [--date YYYY-MM-DD] [--json]`` copies the registry into the warehouse now.
* ``metrics [--node CODE] [--metric NAME] [--json]`` prints a node's key figures (or one metric's rows) from the
  latest snapshot; without ``--node``, the whole platform.
* ``list [--json]`` lists the kept snapshots.
* ``sql --metric NAME --dialect pyspark|trino|duckdb [--node CODE]`` prints a metric as SQL for another engine.
* ``warnings [--json]`` evaluates the early-warning rules now (the worker does it after snapshots and nightly).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhijiao.analytics import metrics as m
from zhijiao.analytics.errors import AnalyticsError
from zhijiao.analytics.models import SnapshotTrigger
from zhijiao.analytics.selectors import metric_rows, node_figures, snapshot_list
from zhijiao.analytics.services import snapshot_take
from zhijiao.analytics.warnings import warnings_evaluate
from zhijiao.core.errors import ZhijiaoError


class Command(BaseCommand):
    help = (
        "数据仓库与统计指标：生成快照（snapshot）、查看节点指标（metrics）、列出快照（list）、"
        "导出指标 SQL（sql）、评估预警（warnings）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        snap = sub.add_parser("snapshot", help="把登记数据写成今天（北京时间）的 Parquet 快照")
        snap.add_argument("--date", default=None, help="快照日期 YYYY-MM-DD（默认今天）")
        snap.add_argument("--json", action="store_true", help="以 JSON 输出")
        fig = sub.add_parser("metrics", help="节点（区划代码或学校标识码）的关键指标")
        fig.add_argument("--node", default="", help="行政区划代码（2/4/6位）或10位学校标识码；默认全平台")
        fig.add_argument("--metric", default="", help=f"只输出一个指标：{'、'.join(m.METRICS)}")
        fig.add_argument("--json", action="store_true", help="以 JSON 输出")
        listing = sub.add_parser("list", help="列出保留的快照")
        listing.add_argument("--json", action="store_true", help="以 JSON 输出")
        sql = sub.add_parser("sql", help="把指标编译为其他引擎的 SQL（表名即快照文件名）")
        sql.add_argument("--metric", required=True, choices=list(m.METRICS))
        sql.add_argument("--dialect", default="pyspark", choices=m.DIALECTS)
        sql.add_argument("--node", default="")
        warn = sub.add_parser("warnings", help="立即评估预警规则（新增、更新、自动解除预警）")
        warn.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except ZhijiaoError as exc:
            raise CommandError(exc.message) from exc

    def _print(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))

    def _snapshot(self, opts: dict[str, Any]) -> None:
        day = None
        if opts["date"]:
            try:
                day = date.fromisoformat(opts["date"])
            except ValueError:
                raise ZhijiaoError(AnalyticsError.ANALYTICS_DATE_INVALID, detail=opts["date"]) from None
        snapshot = snapshot_take(actor=None, day=day, trigger=SnapshotTrigger.CLI)
        result = {
            "date": f"{snapshot.taken_on:%Y-%m-%d}",
            "path": snapshot.path,
            "rows": snapshot.rows,
            "duration_ms": snapshot.duration_ms,
        }
        if opts["json"]:
            self._print(result)
            return
        rows = "，".join(f"{name} {count}" for name, count in snapshot.rows.items())
        self.stdout.write(
            f"快照 {result['date']} 已写入 {snapshot.path}（{rows}），用时 {snapshot.duration_ms / 1000:.1f} 秒"
        )

    def _warnings(self, opts: dict[str, Any]) -> None:
        result = warnings_evaluate()
        if opts["json"]:
            self._print(vars(result))
            return
        self.stdout.write(f"预警评估完成：{result}")

    def _metrics(self, opts: dict[str, Any]) -> None:
        if opts["metric"]:
            data = metric_rows(actor=None, metric=opts["metric"], node=opts["node"])
        else:
            data = node_figures(actor=None, node=opts["node"])
        if opts["json"]:
            self._print(data)
            return
        if opts["metric"]:
            self.stdout.write(f"{data['title']} — {data['node']['name']}（快照 {data['snapshot']['date']}）")
            for row in data["rows"]:
                self.stdout.write("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
            return
        f = data
        self.stdout.write(f"{f['node']['name']}（快照 {f['snapshot']['date']}）")
        self.stdout.write(
            f"  学校 {f['schools']}，班级 {f['classes']}，在校生 {f['students']}，教职工 {f['staff']}"
            f"（专任教师 {f['teachers']}）"
        )
        self.stdout.write(
            f"  生师比（学生:教职工）{f['student_staff_ratio']}:1，编制标准 {f['staffing_norm']}:1，"
            f"按标准应有教职工 {f['required_staff']}，差额 {f['staff_gap']}，"
            f"低于标准的学校 {f['schools_below_norm']} 所"
        )
        self.stdout.write(
            f"  大班额（56人及以上）{f['large_classes']} 个，其中超大班额（66人及以上）{f['very_large_classes']} 个，"
            f"平均班额 {f['mean_class_size']}"
        )
        for s in f["by_stage"]:
            self.stdout.write(
                f"  {s['stage_name']}：在校生 {s['students']}，班级 {s['classes']}，平均班额 {s['mean_class_size']}，"
                f"大班额 {s['large_classes']}，超大班额 {s['very_large_classes']}"
            )

    def _list(self, opts: dict[str, Any]) -> None:
        rows = [
            {
                "date": f"{s.taken_on:%Y-%m-%d}",
                "taken_at": s.taken_at.isoformat(),
                "path": s.path,
                "rows": s.rows,
                "duration_ms": s.duration_ms,
                "trigger": s.trigger,
            }
            for s in snapshot_list(actor=None)
        ]
        if opts["json"]:
            self._print(rows)
            return
        if not rows:
            self.stdout.write("尚无快照：运行 zhijiao analytics snapshot 生成")
        for r in rows:
            self.stdout.write(f"{r['date']}  {r['path']}  学生 {r['rows'].get('students', 0)}  {r['duration_ms']} 毫秒")

    def _sql(self, opts: dict[str, Any]) -> None:
        try:
            m.node_kind(opts["node"])
        except ValueError:
            raise ZhijiaoError(AnalyticsError.ANALYTICS_NODE_INVALID, detail=opts["node"][:20]) from None
        expr = m.METRICS[opts["metric"]].build(m.unbound_tables(), opts["node"])
        self.stdout.write(m.metric_sql(expr, opts["dialect"]))

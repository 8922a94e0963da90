"""Run every metric on PySpark (local mode) and on DuckDB over the latest snapshot, and compare the results.

    uv sync --group bench          # pyspark; needs Java 17+ (Debian: default-jre-headless)
    ZHIJIAO_HOME=/tmp/analytics-home uv run --group bench python benchmarks/analytics_pyspark.py

Spark runs the very SQL that CI compiles for the ``pyspark`` dialect (``metrics.metric_sql``), over temporary
views of the snapshot's Parquet files named as the warehouse tables. Rows are compared after sorting; floating
values to 1e-9 relative. Approximate medians (Spark's ``percentile_approx`` and DuckDB's ``approx_quantile`` are
different sketches) are shown side by side and may differ by a little; every other value must be equal.
Prints, per metric and node, the row count, the time on each engine and the verdict.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from datetime import date
from decimal import Decimal
from typing import Any

import django

APPROXIMATE = {"median_size", "median_class_size"}


def _normal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _same(a: Any, b: Any) -> bool:
    a, b = _normal(a), _normal(b)
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _key(row: dict[str, Any]) -> tuple:
    return tuple(
        (str(_normal(v)) if not isinstance(_normal(v), float) else f"{v:.6f}")
        for k, v in sorted(row.items())
        if k not in APPROXIMATE
    )


def compare(duck: list[dict[str, Any]], spark: list[dict[str, Any]]) -> tuple[bool, list[str]]:
    notes: list[str] = []
    if len(duck) != len(spark):
        return False, [f"{len(duck)} rows on DuckDB, {len(spark)} on Spark"]
    for d, s in zip(sorted(duck, key=_key), sorted(spark, key=_key), strict=True):
        if set(d) != set(s):
            return False, [f"columns differ: {sorted(set(d) ^ set(s))}"]
        for column in d:
            if column in APPROXIMATE:
                if not _same(d[column], s[column]):
                    notes.append(f"{column}: DuckDB {d[column]} / Spark {s[column]}")
            elif not _same(d[column], s[column]):
                return False, [f"{column}: DuckDB {d[column]!r} / Spark {s[column]!r}"]
    return True, notes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cores", default="2")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()

    from pyspark.sql import SparkSession

    from zhijiao.analytics import metrics as m
    from zhijiao.analytics.engine import engine
    from zhijiao.analytics.selectors import snapshot_latest, snapshot_tables
    from zhijiao.analytics.warehouse import SCHEMAS, table_path

    snapshot = snapshot_latest()
    duck_tables = snapshot_tables(snapshot)
    started = time.perf_counter()
    spark = (
        SparkSession.builder.master(f"local[{args.cores}]")
        .appName("zhijiao-analytics")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for name in SCHEMAS:
        spark.read.parquet(str(table_path(snapshot.path, name))).createOrReplaceTempView(name)
    print(f"spark {spark.version} local[{args.cores}] started in {time.perf_counter() - started:.1f} s")
    print(f"snapshot {snapshot.taken_on} rows {snapshot.rows}")

    staffing = engine().rows(m.school_staffing(duck_tables, ""))
    largest = max(staffing, key=lambda s: s["students"])
    nodes = {"platform": "", "district": largest["division_code"], "school": largest["school_code"]}
    unbound = m.unbound_tables()

    cases = [(name, metric.build) for name, metric in m.METRICS.items()]
    cases.append(("trend", lambda t, node: m.trend([(snapshot.taken_on, t)], node)))
    failures = 0
    print(f"{'metric':<24}{'node':<10}{'rows':>6}{'duckdb ms':>11}{'spark ms':>10}  result")
    for name, build in cases:
        for label, node in nodes.items():
            t0 = time.perf_counter()
            duck = engine().rows(build(duck_tables, node))
            t1 = time.perf_counter()
            sql = m.metric_sql(build(unbound, node), "pyspark")
            spark_rows = [row.asDict() for row in spark.sql(sql).collect()]
            t2 = time.perf_counter()
            if name == "trend":  # the snapshot date is a literal: Spark returns it as a date too
                for row in duck + spark_rows:
                    row["snapshot_date"] = row["snapshot_date"] if isinstance(row["snapshot_date"], date) else None
            ok, notes = compare(duck, spark_rows)
            failures += not ok
            verdict = (
                "equal"
                if ok and not notes
                else ("equal but approximate: " + "; ".join(notes) if ok else "DIFFERENT: " + "; ".join(notes))
            )
            print(f"{name:<24}{label:<10}{len(duck):>6}{(t1 - t0) * 1000:>11.1f}{(t2 - t1) * 1000:>10.1f}  {verdict}")
    spark.stop()
    print(f"{failures} metric results differ" if failures else "every metric gives the same rows on DuckDB and Spark")
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

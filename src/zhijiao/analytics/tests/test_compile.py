"""Every metric compiles for Spark and Trino (what CI runs): the same definitions serve a province's engine."""

from __future__ import annotations

import re
from datetime import date

import pytest

from zhijiao.analytics import metrics as m

NODES = ("", "42", "4201", "420112", "3420112001")
NOT_PORTABLE = re.compile(
    r"\b(MODE|PERCENTILE_CONT|PERCENTILE_DISC|QUANTILE_CONT|QUANTILE_DISC|MEDIAN|LIST)\s*\(", re.I
)


@pytest.mark.parametrize("dialect", ["pyspark", "trino"])
@pytest.mark.parametrize("name", list(m.METRICS))
def test_every_metric_compiles(name, dialect):
    tables = m.unbound_tables()
    for node in NODES:
        sql = m.metric_sql(m.METRICS[name].build(tables, node), dialect)
        assert sql.lstrip().upper().startswith(("SELECT", "WITH")), sql[:80]
        assert not NOT_PORTABLE.search(sql), f"{name} uses a non-portable aggregate on {dialect}"
        if node:
            assert node in sql  # the node filter reaches the SQL
        else:
            assert "420112" not in sql


@pytest.mark.parametrize(
    ("dialect", "median"),
    [("pyspark", "PERCENTILE_APPROX"), ("trino", "APPROX_PERCENTILE"), ("duckdb", "APPROX_QUANTILE")],
)
def test_medians_are_approximate_on_every_engine(dialect, median):
    sql = m.metric_sql(m.class_size_summary(m.unbound_tables(), "4201"), dialect)
    assert median in sql.upper()


@pytest.mark.parametrize("dialect", ["pyspark", "trino"])
def test_the_trend_compiles_over_one_table_set_per_snapshot(dialect):
    days = [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
    history = [(day, m.unbound_tables(f"{day:%Y%m%d}")) for day in days]
    sql = m.metric_sql(m.trend(history, "420112"), dialect)
    assert sql.upper().count("UNION ALL") == 2
    for day in days:
        assert f"students_{day:%Y%m%d}" in sql


def test_unknown_dialects_are_refused():
    with pytest.raises(ValueError):
        m.metric_sql(m.totals(m.unbound_tables(), ""), "oracle")


def test_spark_divides_by_the_norms_in_doubles():
    """Spark SQL reads 19.0 as DECIMAL(3,1) and BIGINT / DECIMAL rounds to 6 places (the PySpark benchmark caught
    required staff differing from DuckDB's): the counts are cast to DOUBLE first."""
    sql = m.metric_sql(m.school_staffing(m.unbound_tables(), ""), "pyspark")
    for norm in ("19.0", "13.5", "12.5"):
        assert re.search(rf"CAST\(`\w+`\.`stage_\d` AS DOUBLE\) / {re.escape(norm)}", sql), norm

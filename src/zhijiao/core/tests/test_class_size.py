"""大班额 is defined once (core.class_size) and every user — the org pages, the analytics metrics, the SQL the
metrics compile to — gives the same answer at the edges (issue 12)."""

from __future__ import annotations

import ibis
import polars as pl
import pytest

from zhijiao.analytics import metrics
from zhijiao.analytics.warehouse import SCHEMAS
from zhijiao.core.class_size import (
    CLASS_SIZE_BANDS,
    LARGE_CLASS,
    VERY_LARGE_CLASS,
    is_large_class,
    is_over_capacity,
    is_very_large_class,
    size_band,
)
from zhijiao.org.models import SchoolClass
from zhijiao.registry.selectors.org import ClassRow

EDGES = [0, 45, 46, 55, 56, 65, 66, 90]
EXPECTED = {  # size: (大班额, 超大班额)
    0: (False, False),
    45: (False, False),
    46: (False, False),
    55: (False, False),
    56: (True, False),
    65: (True, False),
    66: (True, True),
    90: (True, True),
}


def test_the_national_rule():
    assert (LARGE_CLASS, VERY_LARGE_CLASS) == (56, 66)
    assert [(n, bool(is_large_class(n)), bool(is_very_large_class(n))) for n in EDGES] == [
        (n, *EXPECTED[n]) for n in EDGES
    ]
    assert [size_band(n) for n in (45, 46, 55, 56, 65, 66)] == [
        "45人及以下",
        "46–55人",
        "46–55人",
        "56–65人",
        "56–65人",
        "66人及以上",
    ]
    assert [label for _low, _high, label in CLASS_SIZE_BANDS][-2:] == ["56–65人", "66人及以上"]


def test_over_capacity_is_a_different_question():
    assert is_over_capacity(46, 45) and not is_over_capacity(45, 45)
    assert not is_over_capacity(60, 0)  # no rated size recorded: never 超额
    assert not is_over_capacity(50, None)


def test_org_class_rows_use_the_rule():
    school_class = SchoolClass(capacity=45)
    for n in EDGES:
        row = ClassRow(school_class=school_class, label="", students=n, head_teacher="")
        assert (row.oversized, row.very_large) == EXPECTED[n], n
    assert ClassRow(school_class=school_class, label="", students=48, head_teacher="").over_by == 3


def test_polars_twin_agrees():
    frame = pl.DataFrame({"size": EDGES}).with_columns(
        large=is_large_class(pl.col("size")), very_large=is_very_large_class(pl.col("size"))
    )
    assert {r["size"]: (r["large"], r["very_large"]) for r in frame.iter_rows(named=True)} == EXPECTED


def _tables_with_classes_of(sizes: list[int]) -> metrics.Tables:
    """A warehouse with one class per size, as the snapshot would hold it."""

    def frame(name: str, rows: list[dict]) -> ibis.Table:
        schema = ibis.schema(SCHEMAS[name])
        columns = {c: [r.get(c) for r in rows] for c in schema.names}
        return ibis.memtable(pl.DataFrame(columns, schema=schema.to_polars()), schema=schema)

    base = {"school_id": 1, "school_code": "3420112001", "division_code": "420112"}
    classes = [
        {**base, "class_id": i, "stage": "2", "grade": "11", "number": i, "capacity": 45, "is_active": True}
        for i, _n in enumerate(sizes, start=1)
    ]
    students = [
        {**base, "student_id": 1000 * i + k, "class_id": i, "status": "01", "stage": "2"}
        for i, n in enumerate(sizes, start=1)
        for k in range(n)
    ]
    return metrics.Tables(
        divisions=frame("divisions", []),
        schools=frame("schools", []),
        classes=frame("classes", classes),
        students=frame("students", students),
        staff=frame("staff", []),
        quality=frame("quality", []),
        learning_statements=frame("learning_statements", []),
        health_checks=frame("health_checks", []),
        fitness_results=frame("fitness_results", []),
        growth_reviews=frame("growth_reviews", []),
        space_usage=frame("space_usage", []),
    )


@pytest.mark.parametrize("sizes", [EDGES[1:]])  # a class of 0 pupils has no student rows; covered above
def test_analytics_metric_agrees_with_the_org_pages(sizes):
    tables = _tables_with_classes_of(sizes)
    con = ibis.duckdb.connect()
    result = con.to_polars(metrics.class_sizes(tables, "420112"))
    by_size = {r["size"]: (r["large"], r["very_large"]) for r in result.iter_rows(named=True)}
    assert by_size == {n: EXPECTED[n] for n in sizes}
    org = {n: (ClassRow(SchoolClass(capacity=45), "", n, "").oversized,) for n in sizes}
    assert {n: (v[0],) for n, v in by_size.items()} == org
    summary = con.to_polars(metrics.class_size_summary(tables, "420112")).row(0, named=True)
    assert (summary["large"], summary["very_large"]) == (
        sum(EXPECTED[n][0] for n in sizes),
        sum(EXPECTED[n][1] for n in sizes),
    )

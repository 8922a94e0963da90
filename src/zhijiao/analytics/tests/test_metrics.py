"""Metrics on hand-built snapshots whose answers are known, executed by DuckDB."""

from __future__ import annotations

from datetime import date

import pytest

from zhijiao.analytics import metrics as m
from zhijiao.analytics.engine import engine
from zhijiao.analytics.tests.conftest import hand_built

DAY = date(2026, 11, 20)
P, N, H, X = "1000000001", "1000000002", "1000000003", "1000000004"  # 小学, 九年一贯制, 高中, closed
DXH, JA = "420112", "420102"
CLASS_SIZES = {1: 45, 2: 55, 3: 56, 4: 65, 5: 66, 6: 70, 7: 0}  # class 7 is empty; class 8 is inactive


def school(school_id: int, code: str, division: str, school_type: str, stages: str, active: bool = True) -> dict:
    return {
        "school_id": school_id,
        "school_code": code,
        "name": f"学校{school_id}",
        "school_type": school_type,
        "division_code": division,
        "stages": stages,
        "is_active": active,
    }


def pupils(school_id: int, code: str, division: str, stage: str, n: int, **extra) -> list[dict]:
    return [
        {"school_id": school_id, "school_code": code, "division_code": division, "stage": stage, "status": "01"} | extra
        for _ in range(n)
    ]


def posts(school_id: int | None, code: str, division: str, n: int, category: str = "11", **extra) -> list[dict]:
    return [
        {
            "school_id": school_id,
            "school_code": code,
            "division_code": division,
            "category": category,
            "is_active": True,
        }
        | extra
        for _ in range(n)
    ]


def region_rows(extra_pupils_at_p: int = 0) -> dict[str, list[dict]]:
    divisions = [
        {"code": "42", "name": "湖北省", "level": 1},
        {"code": "4201", "name": "武汉市", "level": 2, "parent_code": "42"},
        {"code": DXH, "name": "东西湖区", "level": 3, "parent_code": "4201"},
        {"code": JA, "name": "江岸区", "level": 3, "parent_code": "4201"},
    ]
    schools = [
        school(1, P, DXH, "211", "2"),
        school(2, N, DXH, "312", "2,3"),
        school(3, H, JA, "342", "4"),
        school(4, X, DXH, "211", "2", active=False),
    ]
    classes = [
        {"class_id": cid, "school_id": 1, "school_code": P, "division_code": DXH, "stage": "2", "number": cid}
        for cid in CLASS_SIZES
    ]
    classes.append(
        {"class_id": 8, "school_id": 1, "school_code": P, "division_code": DXH, "stage": "2", "is_active": False}
    )
    students: list[dict] = []
    for cid, size in CLASS_SIZES.items():
        students += pupils(1, P, DXH, "2", size, class_id=cid)
    unplaced = 380 - sum(CLASS_SIZES.values()) + extra_pupils_at_p  # 23 pupils not in a class
    students += pupils(1, P, DXH, "2", unplaced)
    for i, row in enumerate(students):
        row["sex"] = "1" if i < 200 else "2"
    students += pupils(1, P, DXH, "2", 5, status="02", sex="1")  # 休学: not counted
    students += pupils(2, N, DXH, "2", 600) + pupils(2, N, DXH, "3", 270)
    students += pupils(3, H, JA, "4", 250)
    staff = posts(1, P, DXH, 15) + posts(1, P, DXH, 4, category="13")
    staff += posts(1, P, DXH, 2, is_active=False)  # left: not counted
    staff += posts(2, N, DXH, 52) + posts(3, H, JA, 20)
    staff += posts(None, "", DXH, 3, category="13")  # the bureau's own staff
    for i, row in enumerate(students):
        row["student_id"] = i + 1
    for i, row in enumerate(staff):
        row["staff_id"] = i + 1
    return {"divisions": divisions, "schools": schools, "classes": classes, "students": students, "staff": staff}


@pytest.fixture
def tables():
    return hand_built(DAY, **region_rows())


def rows(expr):
    return engine().rows(expr)


def by(key: str, items: list[dict]) -> dict:
    return {r[key]: r for r in items}


def test_student_staff_ratio_against_the_norms(tables):
    staffing = by("school_code", rows(m.school_staffing(tables, "")))
    assert set(staffing) == {P, N, H}  # the closed school is not listed

    p = staffing[P]
    assert (p["students"], p["staff"], p["teachers"]) == (380, 19, 15)
    assert p["ratio"] == pytest.approx(20.0)
    assert p["required_staff"] == pytest.approx(20.0)  # 380 / 19
    assert p["norm"] == pytest.approx(19.0)
    assert p["below_norm"] is True  # 19 staff where 20 are required
    assert p["staff_gap"] == pytest.approx(-1.0)

    # 九年一贯制: 600 小学 + 270 初中 pupils need 600/19 + 270/13.5 staff; the norm is pupil-weighted
    n = staffing[N]
    required = 600 / 19 + 270 / 13.5
    assert n["required_staff"] == pytest.approx(required)
    assert n["norm"] == pytest.approx(870 / required)
    assert n["norm"] == pytest.approx(16.867, abs=0.001)
    assert n["ratio"] == pytest.approx(870 / 52)
    assert n["below_norm"] is False

    h = staffing[H]  # exactly at the 高中 norm 12.5 : 1 is not below it
    assert (h["students"], h["staff"], h["required_staff"], h["below_norm"]) == (250, 20, 20.0, False)


def test_class_sizes_count_large_and_very_large_classes(tables):
    sizes = by("class_id", rows(m.class_sizes(tables, P)))
    assert {cid: r["size"] for cid, r in sizes.items()} == CLASS_SIZES  # the inactive class 8 is left out
    assert [cid for cid, r in sizes.items() if r["large"]] == [3, 4, 5, 6]  # 56 and more
    assert [cid for cid, r in sizes.items() if r["very_large"]] == [5, 6]  # 66 and more

    summary = rows(m.class_size_summary(tables, P))
    assert len(summary) == 1
    s = summary[0]
    assert (s["stage"], s["classes"], s["students"], s["large"], s["very_large"], s["max_size"]) == (
        "2",
        7,
        357,
        4,
        2,
        70,
    )
    assert s["mean_size"] == pytest.approx(51.0)
    assert 45 <= s["median_size"] <= 65  # approximate median of 0, 45, 55, 56, 65, 66, 70

    bands = [(r["band"], r["classes"]) for r in rows(m.class_size_bands(tables, P))]
    assert bands == [("45人及以下", 2), ("46–55人", 1), ("56–65人", 2), ("66人及以上", 2)]


def test_totals_of_a_district_school_and_everything(tables):
    (district,) = rows(m.totals(tables, DXH))
    assert district["schools"] == 2
    assert district["students"] == 380 + 870
    assert district["staff"] == 19 + 52
    assert district["teachers"] == 15 + 52
    assert district["bureau_staff"] == 3
    assert district["schools_below_norm"] == 1
    assert district["required_staff"] == pytest.approx(20 + 600 / 19 + 20)
    assert district["normed_students"] == 1250
    assert (district["classes"], district["large_classes"], district["very_large_classes"]) == (7, 4, 2)

    (everything,) = rows(m.totals(tables, ""))
    assert (everything["schools"], everything["students"], everything["staff"]) == (3, 1500, 91)
    (city,) = rows(m.totals(tables, "4201"))
    assert city["students"] == 1500
    (one,) = rows(m.totals(tables, H))
    assert (one["schools"], one["students"], one["staff"], one["bureau_staff"], one["classes"]) == (1, 250, 20, 0, 0)


def test_breakdowns(tables):
    assert {r["school_type"]: r["schools"] for r in rows(m.schools_by_type(tables, ""))} == {
        "211": 1,
        "312": 1,
        "342": 1,
    }
    assert {r["sex"]: r["students"] for r in rows(m.METRICS["students_by_sex"].build(tables, P))} == {
        "1": 200,
        "2": 180,
    }
    assert {r["stage"]: r["students"] for r in rows(m.METRICS["students_by_stage"].build(tables, DXH))} == {
        "2": 980,
        "3": 270,
    }
    assert {r["category"]: r["staff"] for r in rows(m.staff_by_category(tables, P))} == {"11": 15, "13": 4}


def test_trend_across_two_snapshots():
    first = hand_built(date(2026, 11, 1), **region_rows())
    second = hand_built(date(2026, 11, 2), **region_rows(extra_pupils_at_p=10))
    result = rows(m.trend([(date(2026, 11, 1), first), (date(2026, 11, 2), second)], P))
    assert [(r["snapshot_date"], r["students"], r["staff"], r["classes"], r["schools"]) for r in result] == [
        (date(2026, 11, 1), 380, 19, 7, 1),
        (date(2026, 11, 2), 390, 19, 7, 1),
    ]


def test_every_metric_runs_on_duckdb_for_each_kind_of_node(tables):
    for metric in m.METRICS.values():
        for node in ("", "42", "4201", DXH, P):
            assert isinstance(rows(metric.build(tables, node)), list), metric.name


def test_nodes_must_be_division_codes_or_school_codes():
    for bad in ("4", "42011", "12345678901", "abc", "42a1"):
        with pytest.raises(ValueError):
            m.node_kind(bad)


def test_sql_compiled_once_per_kind_of_node_gives_each_nodes_rows(tables):
    for metric in m.METRICS.values():
        for node in (P, H, DXH, JA, "42", "4201", ""):  # P then H reuse one compiled statement, and so on
            cached = engine().query(("test", metric.name), lambda code, b=metric.build: b(tables, code), node)
            assert cached == rows(metric.build(tables, node)), (metric.name, node)
    with pytest.raises(ValueError):
        engine().query(("test", "totals"), lambda code: m.totals(tables, code), "42' OR '1'='1")

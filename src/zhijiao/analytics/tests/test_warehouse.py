"""Snapshots of the test region: files, manifest, no personal data, same-day replacement, history, retention."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from zhijiao.analytics.models import Snapshot
from zhijiao.analytics.selectors import node_figures, trend_rows
from zhijiao.analytics.services import snapshot_take
from zhijiao.analytics.warehouse import SCHEMAS, table_path
from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import Forbidden
from zhijiao.people.services import person_create, student_enroll
from zhijiao.testing import make_id

DAY = date(2026, 11, 20)


def add_student(region, key: str, class_key: str = "A1", seq: int = 60) -> None:
    born = date(2018, 9, 9)
    p = person_create(
        name=f"学生{key}", sex="2", birth_date=born, ethnicity="01", id_number=make_id("420112", born, seq, "2")
    )
    region.students[key] = student_enroll(
        actor=None, person=p, student_no=f"G{p.id_number}", school_class=region.classes[class_key], on=date(2026, 9, 1)
    )


def test_a_snapshot_writes_every_table_with_its_schema(region, warehouse):
    snapshot = snapshot_take(day=DAY)
    folder = warehouse / "2026-11-20"
    assert snapshot.path == str(folder)
    assert snapshot.rows == {
        "divisions": snapshot.rows["divisions"],
        "schools": 3,
        "classes": 4,
        "students": 5,
        "staff": 4,
        "quality": 0,  # no catalogue scores computed in this region
        "learning_statements": 0,  # no learning records stored (xapi's tests cover the rows)
        # growth (decision 0055-health-file; growth/tests/test_health_indicators.py covers the rows)
        "health_checks": 0,
        "fitness_results": 0,
        "growth_reviews": 0,
        "space_usage": 4,  # teacher, head, the pupil s1 and their mother have accounts (spaces' tests cover it)
    }
    for name, columns in SCHEMAS.items():
        frame = pl.read_parquet(table_path(folder, name))
        assert frame.columns == list(columns)
        assert frame.height == snapshot.rows[name]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["date"] == "2026-11-20"
    assert manifest["rows"] == snapshot.rows
    assert manifest["school_year"] == 2026

    students = pl.read_parquet(table_path(folder, "students"))
    s1 = students.filter(pl.col("student_id") == region.students["s1"].pk).row(0, named=True)
    assert s1 | {"student_id": 0} == {
        "student_id": 0,
        "school_id": region.schools["A"].pk,
        "school_code": "3420112001",
        "division_code": "420112",
        "class_id": region.classes["A1"].pk,
        "stage": "2",
        "entry_year": 2024,
        "grade": "13",  # the 2024 primary cohort is in 三年级 in 2026-2027
        "sex": "1",
        "ethnicity": "01",
        "study_mode": "",
        "status": "01",
        "hukou": "",
        "birth_year": 2018,
    }
    # nothing that names or identifies a person leaves the registry
    everything = " ".join(str(v) for name in SCHEMAS for v in pl.read_parquet(table_path(folder, name)).rows())
    for person in region.persons.values():
        assert person.name not in everything
        assert person.id_number not in everything
    assert AuditEvent.objects.filter(action="analytics.snapshot", target_id="2026-11-20").count() == 1


def test_a_second_snapshot_the_same_day_replaces_the_first(region, warehouse):
    snapshot_take(day=DAY)
    add_student(region, "s6")
    again = snapshot_take(day=DAY)
    assert Snapshot.objects.count() == 1
    assert again.rows["students"] == 6
    assert pl.read_parquet(table_path(again.path, "students")).height == 6
    assert sorted(p.name for p in warehouse.iterdir() if not p.name.startswith(".lock")) == ["2026-11-20"]
    assert node_figures(actor=None, node="3420112001")["students"] == 4  # the engine reads the new files


def test_history_gives_a_trend(region):
    bureau = region.accounts["bureau"]
    snapshot_take(day=date(2026, 11, 1))
    assert node_figures(actor=bureau, node="420112")["students"] == 4
    assert len(trend_rows(actor=bureau, node="420112")["rows"]) == 1
    add_student(region, "s6")
    add_student(region, "s7", seq=61)
    snapshot_take(day=date(2026, 11, 2))
    # the latest snapshot is the one figures come from (the statement compiled for day 1 now reads day 2)
    figures = node_figures(actor=bureau, node="420112")
    assert (figures["snapshot"]["date"], figures["students"]) == ("2026-11-02", 6)
    trend = trend_rows(actor=bureau, node="420112")
    assert [(r["snapshot_date"], r["students"], r["classes"], r["schools"]) for r in trend["rows"]] == [
        ("2026-11-01", 4, 3, 2),
        ("2026-11-02", 6, 3, 2),
    ]
    add_student(region, "s8", seq=62)
    snapshot_take(day=date(2026, 11, 3))
    trend = trend_rows(actor=bureau, node="3420112001")
    assert [(r["snapshot_date"], r["students"]) for r in trend["rows"]] == [
        ("2026-11-01", 3),
        ("2026-11-02", 5),
        ("2026-11-03", 6),
    ]


def test_retention_keeps_the_newest_snapshots(region, settings, warehouse):
    settings.ZHIJIAO_WAREHOUSE_KEEP = 2
    for day in (1, 2, 3):
        snapshot_take(day=date(2026, 11, day))
    assert [f"{s.taken_on:%d}" for s in Snapshot.objects.order_by("taken_on")] == ["02", "03"]
    assert sorted(p.name for p in warehouse.iterdir() if p.is_dir()) == ["2026-11-02", "2026-11-03"]


def test_only_platform_administrators_take_snapshots(region):
    with pytest.raises(Forbidden):
        snapshot_take(actor=region.accounts["bureau"], day=DAY)
    assert snapshot_take(actor=region.accounts["admin"], day=DAY).rows["students"] == 5

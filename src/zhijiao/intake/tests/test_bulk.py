"""The bulk path's own mechanics: lookups attached without a copy, indexes rebuilt after big SQLite loads."""

from __future__ import annotations

import sqlite3
from datetime import date

import polars as pl
import pytest
from django.db import connection, transaction

from zhijiao.core import bulk
from zhijiao.intake.frames import attach
from zhijiao.intake.tests.test_pipeline import assert_sums, row, run, write_csv
from zhijiao.people.models import Enrolment, Guardianship, Person, Student

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the index rebuild is SQLite's bulk path")


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


def test_attach_keeps_the_row_order_and_refuses_a_lookup_with_repeated_keys():
    rows = pl.DataFrame({"_row": [2, 3, 4, 5], "code": ["b", "a", None, "b"], "wide": ["x", "y", "z", "w"]})
    lookup = pl.DataFrame({"code": ["a", "b"], "code_id": [10, 20]})
    attached = attach(rows, lookup, on="code")
    assert attached.columns == ["_row", "code", "wide", "code_id"]
    assert attached["code_id"].to_list() == [20, 10, None, 20]
    with pytest.raises(ValueError, match="not unique"):
        attach(rows, pl.concat([lookup, lookup]), on="code")


def _rebuild_always(monkeypatch) -> None:
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(bulk, "_sqlite_rows", lambda table: 0)


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
        return {r[0] for r in cursor.fetchall()}


@sqlite_only
def test_a_load_larger_than_the_table_rebuilds_its_indexes_and_keeps_them(region, tmp_path, monkeypatch):
    _rebuild_always(monkeypatch)
    tables = ("people_person", "people_student", "people_enrolment", "people_guardianship")
    before = {t: _indexes(t) for t in tables}
    rows = [
        row(
            f"柏{'甲乙丙丁戊己庚辛壬癸子丑'[n]}",
            date(2018, 1 + n % 12, 1 + n),
            str(1 + n % 2),
            20 + n,
            klass=str(1 + n % 2),
        )
        for n in range(12)
    ]
    batch = run(write_csv(tmp_path / "a.csv", rows))
    assert_sums(batch)
    assert batch.created == 12
    assert {t: _indexes(t) for t in tables} == before
    assert Student.objects.filter(person__name__startswith="柏").count() == 12
    assert Enrolment.objects.filter(student__person__name__startswith="柏", ended_on__isnull=True).count() == 12
    assert Guardianship.objects.filter(student__person__name__startswith="柏").count() == 12


@sqlite_only
def test_a_rebuilt_unique_index_that_no_longer_holds_rolls_the_load_back(region, monkeypatch):
    _rebuild_always(monkeypatch)
    before, people = _indexes("people_person"), Person.objects.count()
    twins = pl.DataFrame(
        {
            "name": ["甲", "乙"],
            "sex": ["1", "1"],
            "ethnicity": ["01", "01"],
            "id_type": ["1", "1"],
            "id_number": ["420112201801010011", "420112201801010011"],
            "phone": ["", ""],
            "address": ["", ""],
            "employer": ["", ""],
            "origin": ["", ""],
            "created_at": [bulk.now_utc()] * 2,
            "updated_at": [bulk.now_utc()] * 2,
        }
    )
    with pytest.raises(sqlite3.IntegrityError), transaction.atomic():  # raised by CREATE UNIQUE INDEX
        bulk.insert("people_person", twins.with_columns(pl.Series("id", [10**9, 10**9 + 1])))
    assert _indexes("people_person") == before
    assert Person.objects.count() == people

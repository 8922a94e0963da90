"""An import that overfills a class says so: a warning on each row past the class's rated size, never a
rejection (issue 12)."""

from __future__ import annotations

from datetime import date

import pytest

from zhijiao.intake.models import QuarantineRow
from zhijiao.intake.tests.test_pipeline import assert_sums, codes, row, run, write_csv
from zhijiao.org.models import SchoolClass

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


def test_rows_past_the_rated_size_are_imported_with_a_warning(region, tmp_path):
    a1 = region.classes["A1"]  # 三年级（1）班 with s1 and s2
    SchoolClass.objects.filter(pk=a1.pk).update(capacity=3)
    rows = [row(name, date(2018, 3, day), "1", 50 + day) for day, name in ((1, "甲一"), (2, "乙二"), (3, "丙三"))]
    batch = run(write_csv(tmp_path / "fill.csv", rows), actor=region.accounts["principal"])
    assert_sums(batch)
    assert batch.created == 3 and batch.rejected == 0  # a warning, not a rejection
    warned = {n: c for n, c in codes(batch).items() if "INTAKE_CLASS_OVER_CAPACITY" in c}
    assert len(warned) == 2  # 2 + 1 = 3 fits; the second and third newcomers make 4 and 5
    first = min(warned)
    message = next(
        i["message"]
        for i in QuarantineRow.objects.get(batch=batch, row_no=first).issues
        if i["code"] == "INTAKE_CLASS_OVER_CAPACITY"
    )
    assert "额定 3 人，导入后 4 人" in message and "超额" in message
    assert not QuarantineRow.objects.get(batch=batch, row_no=first).rejected

    # importing the same pupils again moves no one into the class: nothing to warn about
    again = run(write_csv(tmp_path / "again.csv", rows), actor=region.accounts["principal"])
    assert_sums(again)
    assert not [c for c in codes(again).values() if "INTAKE_CLASS_OVER_CAPACITY" in c]


def test_a_class_within_its_size_gets_no_warning(region, tmp_path):
    rows = [row("丁四", date(2018, 4, 4), "1", 61)]
    batch = run(write_csv(tmp_path / "one.csv", rows), actor=region.accounts["principal"])
    assert_sums(batch)
    assert not [c for c in codes(batch).values() if "INTAKE_CLASS_OVER_CAPACITY" in c]

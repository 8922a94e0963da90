"""Re-importing the 问题数据 report: unchanged, corrected, and with cells masked for privacy."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from zhijiao.intake.models import BatchStatus, QuarantineRow
from zhijiao.intake.report import report_path
from zhijiao.intake.tests.test_pipeline import TODAY, assert_sums, codes, row, run, write_csv
from zhijiao.people.models import Person, Student

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


def _rows() -> list[dict]:
    return [
        row("许对", date(2018, 5, 1), "1", 51),
        row("何错", date(2018, 5, 2), "1", 52, 出生日期="2018-02-30"),
        row("吕错", date(2018, 5, 3), "2", 53, 班级="7"),
        row("蒋龄", date(2012, 3, 11), "1", 39),  # imported with an age warning
    ]


def test_the_report_reimported_unchanged_gives_a_true_status(region, tmp_path):
    first = run(write_csv(tmp_path / "a.csv", _rows()))
    assert_sums(first)
    assert (first.created, first.rejected, first.warnings) == (2, 2, 1)
    students = Student.objects.count()

    again = run(report_path(first))
    assert again.status == BatchStatus.DONE, again.error
    assert_sums(again)
    # the two rejected rows are rejected again, the warned row is already there
    assert (again.rows_in, again.created, again.updated, again.unchanged, again.rejected) == (3, 0, 0, 1, 2)
    assert again.warnings == 1 and Student.objects.count() == students
    header = [c.value for c in load_workbook(report_path(again)).active[1]]
    assert header.count("行号") == 1 and header[-2:] == ["行号", "问题说明"]


def test_a_corrected_report_is_accepted_with_its_warnings_still_reported(region, tmp_path):
    first = run(write_csv(tmp_path / "a.csv", _rows()))
    book = load_workbook(report_path(first))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    names = [sheet.cell(row=r, column=header.index("姓名") + 1).value for r in range(2, sheet.max_row + 1)]
    line = {name: index + 2 for index, name in enumerate(names)}
    sheet.cell(row=line["何错"], column=header.index("出生日期") + 1).value = "2018-05-02"
    sheet.cell(row=line["吕错"], column=header.index("班级") + 1).value = "1"
    fixed = tmp_path / "fixed.xlsx"
    book.save(fixed)

    again = run(fixed)
    assert_sums(again)
    assert (again.created, again.unchanged, again.rejected, again.warnings) == (2, 1, 0, 1)
    warned = QuarantineRow.objects.get(batch=again)
    assert not warned.rejected and {i["code"] for i in warned.issues} == {"INTAKE_AGE_GRADE"}
    he = Person.objects.get(name="何错")
    assert he.birth_date == date(2018, 5, 2) and "*" not in (he.id_number or "")
    assert "*" not in Student.objects.get(person=he).student_no


def test_a_failure_while_writing_the_report_rolls_the_batch_back(region, tmp_path, monkeypatch):
    from zhijiao.intake import pipeline

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "report_write", boom)
    persons = Person.objects.count()
    batch = run(write_csv(tmp_path / "a.csv", _rows()))
    assert batch.status == BatchStatus.FAILED and "未写入任何数据" in batch.error
    assert Person.objects.count() == persons  # the status tells the truth: nothing was written


def test_a_student_without_id_resembling_a_registry_student_below_threshold(region, tmp_path):
    base = {"身份证件类型": "护照", "民族": "", "身份证件号": ""}
    known = row("欧阳娜", date(2018, 7, 1), "2", 71, **base, 学籍号="J" + "1" * 17 + "2", 监护人电话="13911112222")
    run(write_csv(tmp_path / "a.csv", [known]))
    # same birth date, a different name, sex, phone: Splink finds no pair above its threshold
    other = row("李强", date(2018, 7, 1), "1", 72, **base, 学籍号="L" + "9" * 17 + "8", 监护人电话="13700000000")
    batch = run(write_csv(tmp_path / "b.csv", [other]))
    assert_sums(batch)
    assert batch.created == 1, codes(batch)
    assert TODAY  # the shared fixture date


def test_a_failure_after_the_report_is_written_takes_the_report_too(region, tmp_path, monkeypatch):
    from zhijiao.intake import pipeline

    written = []

    def write_then_fail(batch, *args, **kwargs):
        written.append(pipeline.report_write.__wrapped__(batch, *args, **kwargs))
        raise RuntimeError("database gone")  # as if the commit failed once the report was there

    write_then_fail.__wrapped__ = pipeline.report_write  # type: ignore[attr-defined]
    monkeypatch.setattr(pipeline, "report_write", write_then_fail)
    persons = Person.objects.count()
    batch = run(write_csv(tmp_path / "a.csv", _rows()))
    assert batch.status == BatchStatus.FAILED and "未写入任何数据" in batch.error
    assert written and written[0] == report_path(batch)  # it was written, then removed with the batch
    assert Person.objects.count() == persons and not report_path(batch).exists()
    assert not list(report_path(batch).parent.glob("*.part"))

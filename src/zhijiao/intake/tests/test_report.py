"""The 问题数据 report: column names, marked and commented cells, masked personal numbers, audited downloads."""

from __future__ import annotations

import csv
import io
from datetime import date

import polars as pl
import pytest
from openpyxl import load_workbook

from zhijiao.audit.models import AuditEvent
from zhijiao.core.masking import mask_id_number, mask_phone, mask_student_no
from zhijiao.intake.masking import mask_expr
from zhijiao.intake.models import ImportBatch, QuarantineRow
from zhijiao.intake.report import report_path
from zhijiao.intake.spec import FieldType
from zhijiao.intake.tests.test_pipeline import assert_sums, codes, row, run, write_csv
from zhijiao.intake.tests.test_views import csv_upload, login
from zhijiao.people.models import Person, Student

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


def _sheet(path):
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    lines = {sheet.cell(row=r, column=header.index("姓名") + 1).value: r for r in range(2, sheet.max_row + 1)}
    return sheet, header, lines


def _red(cell) -> bool:
    return str(cell.fill.fgColor.rgb).endswith("FFC7CE")


def test_numbers_are_masked_unless_they_are_the_problem(region, tmp_path):
    bad_id = row("吴错", date(2018, 3, 4), "1", 31)
    number = bad_id["身份证件号"]
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    bad_id.update({"身份证件号": wrong, "学籍号": f"G{wrong}"})
    bad_class = row("吕错", date(2018, 5, 3), "2", 53, 班级="7")
    batch = run(write_csv(tmp_path / "a.csv", [bad_id, bad_class]))
    assert batch.rejected == 2
    sheet, header, lines = _sheet(report_path(batch))

    def cell(name, column):
        return sheet.cell(row=lines[name], column=header.index(column) + 1).value

    assert cell("吴错", "身份证件号") == wrong  # the reason: shown whole so the clerk can fix it
    assert cell("吕错", "身份证件号") == mask_id_number(bad_class["身份证件号"])
    assert cell("吕错", "学籍号") == mask_student_no(bad_class["学籍号"])
    assert cell("吕错", "监护人电话") == mask_phone("13900001234")
    assert cell("吴错", "监护人电话") == mask_phone("13900001234")
    assert cell("吕错", "班级") == "7"
    # the quarantine itself keeps the original values (the batch page shows them masked)
    assert QuarantineRow.objects.get(batch=batch, row_no=3).raw["身份证件号"] == bad_class["身份证件号"]


def test_a_masked_cell_without_its_original_is_rejected_never_written(region, tmp_path):
    pupil = row("吕错", date(2018, 5, 3), "2", 53)
    pupil["身份证件号"] = mask_id_number(pupil["身份证件号"])
    pupil["学籍号"] = mask_student_no(pupil["学籍号"])
    headers = [*row("x", date(2018, 1, 1), "1", 1).keys(), "行号", "问题说明"]
    batch = run(write_csv(tmp_path / "r.csv", [{**pupil, "行号": "99", "问题说明": "班级不存在"}], headers=headers))
    assert_sums(batch)
    assert batch.rejected == 1 and "CORE_ID_FORMAT" in codes(batch)[2]
    assert not Person.objects.filter(id_number__contains="*").exists()


def test_mask_expression_is_the_twin_of_the_platform_masks():
    values = ["330106200901011234", "42011219850305123X", "1381234567", "13812345678", "E1234567", "abc", "", None]
    frame = pl.DataFrame({"v": values, "s": [None if v is None else "G" + v for v in values]})
    masked = frame.select(
        id=mask_expr(pl.col("v"), FieldType.ID_NUMBER),
        phone=mask_expr(pl.col("v"), FieldType.MOBILE),
        sno=mask_expr(pl.col("s"), FieldType.STUDENT_NO),
    )
    for value, sno, fast in zip(values, frame["s"], masked.iter_rows(), strict=True):
        if value is None:
            continue
        assert fast == (mask_id_number(value) or value, mask_phone(value) or value, mask_student_no(sno))


def test_duplicate_rows_mark_their_key_cells_and_every_flagged_cell_has_a_comment(region, tmp_path):
    good = row("周好", date(2018, 3, 3), "1", 30)
    digits = row("张伟2", date(2018, 3, 5), "1", 32)
    batch = run(write_csv(tmp_path / "a.csv", [good, dict(good), digits]))
    assert_sums(batch)
    assert codes(batch) == {3: {"INTAKE_DUPLICATE_IN_FILE"}, 4: {"INTAKE_NAME_DIGITS"}}
    sheet, header, lines = _sheet(report_path(batch))
    twin = lines["周好"]
    for column in ("身份证件号", "学籍号"):
        cell = sheet.cell(row=twin, column=header.index(column) + 1)
        assert _red(cell) and "与第 2 行相同" in cell.comment.text
        assert cell.value == good[column]  # the reason, so not masked
    name = sheet.cell(row=lines["张伟2"], column=header.index("姓名") + 1)
    assert _red(name) and "姓名含数字" in name.comment.text
    assert sheet.cell(row=twin, column=header.index("姓名") + 1).comment is None


def test_a_name_with_digits_is_rejected(region, tmp_path):
    batch = run(
        write_csv(tmp_path / "a.csv", [row("张伟2", date(2018, 3, 5), "1", 32), row("李四", date(2018, 3, 6), "1", 33)])
    )
    assert (batch.created, batch.rejected) == (1, 1)
    issue = QuarantineRow.objects.get(batch=batch).issues[0]
    assert issue["code"] == "INTAKE_NAME_DIGITS" and issue["message"] == "姓名：姓名含数字"


# ------------------------------------------------------------------------------------- two-row CSV headers
def _two_row_csv(path, rows: list[dict], *, group: bool = True):
    """A sheet with a merged two-row header saved as CSV: merged labels keep their text in the first cell only."""
    student = ["序号", "姓名", "性别", "出生日期", "身份证件号", "学籍号", "学校标识码", "年级", "班级"]
    top = [*student, "联系电话", "监护人" if group else "", "", ""]
    sub = [""] * len(student) + ["", "姓名", "关系", "联系电话"]
    if not group:
        sub = [*student, "联系电话", "姓名", "关系", "联系电话"]
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["东西湖区第一小学学生名册", *[""] * (len(top) - 1)])
        if group:
            writer.writerow(top)
        writer.writerow(sub)
        for n, r in enumerate(rows, start=1):
            writer.writerow(
                [n, *[r[h] for h in student[1:]], r.get("联系电话", ""), r["监护人姓名"], "父亲", r["监护人电话"]]
            )
    return path


def test_a_csv_two_row_header_keeps_its_group_and_names_columns_by_their_headers(region, tmp_path):
    good = row("孙一", date(2018, 1, 3), "1", 21, 监护人电话="13911112222", 联系电话="13800001111")
    bad = row("孙二", date(2018, 2, 4), "2", 22, 班级="7", 监护人电话="13933334444")
    batch = run(_two_row_csv(tmp_path / "roster.csv", [good, bad]))
    assert_sums(batch)
    assert (batch.created, batch.rejected) == (1, 1), codes(batch)
    sun = Student.objects.get(person__name="孙一")
    assert sun.person.phone == "13800001111"  # the pupil's own 联系电话 (a label merged down)
    assert sun.guardianships.get().guardian.phone == "13911112222"  # 联系电话 under 监护人
    header = [c.value for c in load_workbook(report_path(batch)).active[1]]
    assert header[0] == "序号" and not any(str(h).startswith("第") and str(h).endswith("列") for h in header)
    assert {"监护人姓名", "监护人关系", "监护人电话", "联系电话"} <= set(header)


def test_a_header_naming_one_field_twice_is_refused_not_guessed(region, tmp_path):
    batch = run(_two_row_csv(tmp_path / "roster.csv", [row("孙一", date(2018, 1, 3), "1", 21)], group=False))
    assert batch.status == "failed"
    assert "重名" in batch.error and "出现了不止一次" in batch.error
    assert not Student.objects.filter(person__name="孙一").exists()


# ------------------------------------------------------------------------------------------------ audit
def test_upload_and_report_download_are_audited_with_the_source_ip(
    client, region, monkeypatch, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    monkeypatch.setattr(HUEY, "immediate", True)
    login(client, "bureau")
    bad = row("吕错", date(2018, 5, 3), "2", 53, 班级="7")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/intake/", {"kind": "students", "file": csv_upload([bad])}, REMOTE_ADDR="10.20.30.40")
    batch = ImportBatch.objects.get()
    upload = AuditEvent.objects.get(action="intake.upload")
    assert upload.ip == "10.20.30.40" and upload.target_id == str(batch.pk)

    response = client.get(f"/intake/batches/{batch.pk}/report.xlsx", REMOTE_ADDR="10.20.30.41")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="intake.report_download")
    assert (event.ip, event.channel, event.target_type, event.target_id) == (
        "10.20.30.41",
        "web",
        "import_batch",
        str(batch.pk),
    )
    assert event.actor_username == "bureau" and "问题数据" in event.target_label
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [str(c.value) for line in sheet.iter_rows() for c in line]
    assert bad["身份证件号"] not in values and mask_id_number(bad["身份证件号"]) in values

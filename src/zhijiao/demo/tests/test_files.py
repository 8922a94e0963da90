from __future__ import annotations

import csv

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from zhijiao.core.codes import divisions
from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.validators import validate_id_number, validate_mobile, validate_student_no
from zhijiao.demo.files import HEADERS, generate_rows, iter_rows, write_file
from zhijiao.intake.spec import SPECS

KINDS = list(HEADERS)


@pytest.mark.parametrize("kind", KINDS)
def test_clean_rows_are_valid_and_deterministic(kind):
    first = generate_rows(kind, 120, seed=3, year=2026, use_registry=False)
    again = generate_rows(kind, 120, seed=3, year=2026, use_registry=False)
    assert first.rows == again.rows and len(first.rows) == 120
    assert not any(first.defects)
    for row in first.rows:
        assert list(row) == HEADERS[kind] == SPECS[kind].headers
        resident = row.get("身份证件类型", "居民身份证") == "居民身份证"
        if row.get("身份证件号") and resident:
            validate_id_number(str(row["身份证件号"]))
        if kind == "students":
            validate_student_no(str(row["学籍号"]))
            assert row["学籍号"] == (f"G{row['身份证件号']}" if resident else row["学籍号"])
            assert int(str(row["出生日期"])[:4]) <= 2026 - 5
            validate_mobile(str(row["监护人电话"]))
            assert row["监护人关系"] in ("父亲", "母亲", "祖父", "祖母")
        if row.get("手机号"):
            validate_mobile(str(row["手机号"]))


def test_students_match_the_template_and_some_have_no_mainland_id():
    rows = generate_rows("students", 5000, seed=11, year=2026, use_registry=False).rows
    foreign = [r for r in rows if r["身份证件类型"] != "居民身份证"]
    assert 20 <= len(foreign) <= 90  # about 1%
    for row in foreign:
        assert row["身份证件类型"] in ("护照", "港澳居民来往内地通行证")
        assert str(row["学籍号"]).startswith("J") and len(str(row["学籍号"])) == 19
        validate_student_no(str(row["学籍号"]))
        assert str(row["身份证件号"])[0] in "EHM" and len(str(row["身份证件号"])) == 9
    resident = [r for r in rows if r["身份证件类型"] == "居民身份证"]
    provinces = tuple(d.name for d in divisions().values() if d.level == 1)
    assert all(str(r["户口所在地"]).startswith(provinces) for r in resident)  # a name path from the province down
    assert any(str(r["户口所在地"]) == "湖北省武汉市东西湖区" for r in resident)
    assert {r["监护人关系"] for r in rows} == {"父亲", "母亲", "祖父", "祖母"}
    assert isinstance(rows[0]["班级"], int)
    assert len({r["学籍号"] for r in rows}) == len(rows)


@pytest.mark.django_db
def test_title_row_and_gb18030(tmp_path):
    stream = iter_rows("students", 30, seed=2, year=2026, use_registry=False)
    out = tmp_path / "s.csv"
    write_file(out, "students", stream, title="东西湖区学生信息登记表（2026年秋季）", encoding="gb18030")
    with out.open(encoding="gb18030") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "东西湖区学生信息登记表（2026年秋季）" and rows[1] == HEADERS["students"] and len(rows) == 32
    xlsx = tmp_path / "s.xlsx"
    write_file(xlsx, "students", iter_rows("students", 5, seed=2, year=2026, use_registry=False), title="登记表")
    sheet = load_workbook(xlsx).active
    assert sheet["A1"].value == "登记表"
    assert [str(r) for r in sheet.merged_cells.ranges] == [f"A1:{get_column_letter(len(HEADERS['students']))}1"]
    assert [c.value for c in sheet[2]] == HEADERS["students"]


@pytest.mark.parametrize("kind", ["staff", "students", "guardians", "assignments"])
def test_dirty_rows_carry_one_known_defect(kind):
    generated = generate_rows(kind, 1000, dirty=0.2, seed=5, year=2026, use_registry=False)
    dirty = [d for d in generated.defects if d]
    assert 150 <= len(dirty) <= 250
    assert len(set(dirty)) >= (5 if kind == "assignments" else 8)  # many kinds of dirt, not one
    for row, defect in zip(generated.rows, generated.defects, strict=True):
        if defect == "ID校验码错误":
            with pytest.raises(ZhijiaoError) as err:
                validate_id_number(str(row["身份证件号"]))
            assert err.value.code == "CORE_ID_CHECKSUM"
        if defect == "不存在的日期":
            with pytest.raises(ZhijiaoError) as err:
                validate_id_number(str(row["身份证件号"]))
            assert err.value.code == "CORE_ID_BIRTH_DATE"
        if defect == "全角数字":
            validate_id_number(str(row["身份证件号"]))  # fixable by normalisation
        if defect == "班号不存在":
            assert row.get("班级", row.get("班号")) == 99


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_generate_command_writes_the_file(tmp_path, suffix, capsys):
    out = tmp_path / f"students.{suffix}"
    call_command("generate", "students", "--rows", "40", "--out", str(out), "--dirty", "0.1", "--seed", "9")
    if suffix == "csv":
        with out.open(encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    else:
        rows = [list(r) for r in load_workbook(out, read_only=True).active.iter_rows(values_only=True)]
    assert rows[0] == HEADERS["students"]
    assert len(rows) == 41
    assert "已生成 students 40 行" in capsys.readouterr().out


@pytest.mark.django_db
def test_generate_command_title_and_encoding(tmp_path):
    out = tmp_path / "students.csv"
    call_command("generate", "students", "--rows", "5", "--out", str(out), "--title", "--encoding", "gb18030")
    with out.open(encoding="gb18030") as f:
        rows = list(csv.reader(f))
    assert rows[0][0].startswith("东西湖区学生信息登记表（") and rows[0][0].endswith("年秋季）")
    assert rows[1] == HEADERS["students"] and len(rows) == 7

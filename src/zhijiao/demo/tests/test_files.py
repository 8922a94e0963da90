from __future__ import annotations

import csv

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.validators import validate_id_number, validate_mobile
from zhijiao.demo.files import HEADERS, generate_rows

KINDS = list(HEADERS)


@pytest.mark.parametrize("kind", KINDS)
def test_clean_rows_are_valid_and_deterministic(kind):
    first = generate_rows(kind, 120, seed=3, year=2026, use_registry=False)
    again = generate_rows(kind, 120, seed=3, year=2026, use_registry=False)
    assert first.rows == again.rows and len(first.rows) == 120
    assert not any(first.defects)
    for row in first.rows:
        assert set(row) == set(HEADERS[kind])
        if row.get("身份证件号"):
            validate_id_number(str(row["身份证件号"]))
        if kind == "students":
            assert row["学籍号"] == f"G{row['身份证件号']}"
            assert int(str(row["出生日期"])[:4]) <= 2026 - 5
        if row.get("手机号"):
            validate_mobile(str(row["手机号"]))


@pytest.mark.parametrize("kind", ["staff", "students", "guardians"])
def test_dirty_rows_carry_one_known_defect(kind):
    generated = generate_rows(kind, 1000, dirty=0.2, seed=5, year=2026, use_registry=False)
    dirty = [d for d in generated.defects if d]
    assert 150 <= len(dirty) <= 250
    assert len(set(dirty)) >= 8  # many kinds of dirt, not one
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

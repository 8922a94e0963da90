from __future__ import annotations

import pytest

from zhijiao.core.codes import code_lookup, code_name, code_table, division_for_id_region, division_path, divisions


@pytest.mark.parametrize(
    ("table", "value", "code"),
    [
        ("ethnicity", "汉族", "01"),
        ("ethnicity", "01", "01"),
        ("ethnicity", "汉", "01"),
        ("ethnicity", " 回族 ", "03"),
        ("sex", "女", "2"),
        ("sex", "9", "9"),
        ("school_type", "九年一贯制学校", "312"),
        ("school_type", "345", "345"),
        ("student_status", "在读", "01"),
        ("id_type", "居民身份证", "1"),
        ("staff_category", "专任教师", "11"),
        ("subject", "数学", "14"),
        ("family_relation", "母亲", "52"),
        ("grade", "初二", "22"),
        ("stage", "高中", "4"),
    ],
)
def test_lookup_by_code_or_name(table, value, code):
    entry = code_lookup(table, value)
    assert entry is not None and entry.code == code


def test_unknown_values_resolve_to_none():
    assert code_lookup("ethnicity", "火星族") is None
    assert code_lookup("sex", "") is None
    assert code_name("sex", "7") == "7"


def test_tables_the_registry_needs_are_present():
    for table in (
        "school_type",
        "student_status",
        "id_type",
        "staff_category",
        "subject",
        "enrol_method",
        "study_mode",
        "student_source",
        "health",
        "political",
        "hmt_overseas",
        "hukou",
        "stage",
        "grade",
    ):
        assert code_table(table)


def test_divisions_cover_the_country():
    table = divisions()
    assert sum(1 for d in table.values() if d.level == 1) == 31
    assert sum(1 for d in table.values() if d.level == 3) > 2800
    assert [d.name for d in division_path("420112")] == ["湖北省", "武汉市", "东西湖区"]
    assert division_for_id_region("420100").code == "4201"
    assert division_for_id_region("999999") is None

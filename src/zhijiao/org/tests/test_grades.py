from __future__ import annotations

import pytest

from zhijiao.org.grades import class_label, entry_year_for, grade_code, grade_label


@pytest.mark.parametrize(
    ("stage", "entry", "year", "code", "label"),
    [
        ("2", 2024, 2026, "13", "三年级"),
        ("2", 2021, 2026, "16", "六年级"),
        ("3", 2025, 2026, "22", "初二"),
        ("4", 2026, 2026, "31", "高一"),
        ("6", 2024, 2026, "63", "中职三年级"),
    ],
)
def test_cohort_to_grade(stage, entry, year, code, label):
    assert grade_code(stage, entry, year) == code
    assert grade_label(stage, entry, year) == label
    assert entry_year_for(label, year) == (stage, entry)
    assert entry_year_for(code, year) == (stage, entry)


def test_graduated_cohort():
    assert grade_code("2", 2019, 2026) is None
    assert "已毕业" in grade_label("2", 2019, 2026)


def test_class_label():
    assert class_label("2", 2024, 3, 2026) == "三年级（3）班"

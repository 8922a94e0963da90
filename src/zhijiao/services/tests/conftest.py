from __future__ import annotations

import pytest

APPLICANTS = "报名编号,姓名,身份证号\n" + "".join(
    f"2026-{i:04d},申请人{i},42011220190101{i:04d}\n" for i in range(1, 41)
)


@pytest.fixture
def applicants_csv() -> bytes:
    return APPLICANTS.encode("utf-8")

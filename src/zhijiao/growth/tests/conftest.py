"""Growth fixtures: the test region with a 班主任 for A1 (王老师, who also teaches it)."""

from __future__ import annotations

import pytest

from zhijiao.access.roles import Role
from zhijiao.identity.services import role_grant


@pytest.fixture
def term_region(region):
    role_grant(account=region.accounts["teacher"], role=Role.HEAD_TEACHER, school_class=region.classes["A1"])
    a1 = region.classes["A1"]
    a1.head_teacher = region.staff["teacher"]
    a1.save(update_fields=["head_teacher"])
    return region

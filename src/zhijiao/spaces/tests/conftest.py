from __future__ import annotations

import pytest

from zhijiao.spaces import services
from zhijiao.spaces.models import Notice


@pytest.fixture
def class_notice(region) -> Notice:
    """The teacher of A1 tells A1's guardians about an outing, asking for a 回执."""
    return services.notice_send(
        actor=region.accounts["teacher"],
        title="春游通知",
        body="本周五春游，请家长确认。\n<script>alert(1)</script>",
        audience_kind="class",
        node_id=region.classes["A1"].pk,
        recipients="guardians",
        needs_confirm=True,
    )

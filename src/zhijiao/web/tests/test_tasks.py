from __future__ import annotations

import pytest

from zhijiao.web.tasks import integrity_check

pytestmark = pytest.mark.django_db


def test_integrity_job_runs_through_huey(settings, region):
    # call_local runs the task body in-process; the queue itself is Huey's own concern.
    report = integrity_check.call_local()
    titles = {r["title"]: r["ok"] for r in report}
    assert titles["身份证号"] and titles["在籍记录"] and titles["数据库结构"]

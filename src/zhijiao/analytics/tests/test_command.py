"""``zhijiao analytics …`` and the snapshot jobs."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from zhijiao.analytics.models import Snapshot, SnapshotTrigger
from zhijiao.analytics.tasks import nightly_snapshot, snapshot_after_change, snapshot_task


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("analytics", *args, stdout=out)
    return out.getvalue()


def test_snapshot_then_metrics_as_json(region, warehouse):
    taken = json.loads(run("snapshot", "--date", "2026-11-20", "--json"))
    assert taken["date"] == "2026-11-20"
    assert taken["rows"]["students"] == 5
    assert (warehouse / "2026-11-20" / "students.parquet").is_file()

    figures = json.loads(run("metrics", "--node", "420112", "--json"))
    assert figures["node"] == {
        "code": "420112",
        "name": "东西湖区",
        "kind": "division",
        "division_code": "",
        "school_type": "",
        "school_type_name": "",
        "path": [
            {"code": "42", "name": "湖北省"},
            {"code": "4201", "name": "武汉市"},
            {"code": "420112", "name": "东西湖区"},
        ],
    }
    assert (figures["schools"], figures["classes"], figures["students"], figures["staff"]) == (2, 3, 4, 4)
    assert figures["snapshot"]["date"] == "2026-11-20"
    everything = json.loads(run("metrics", "--json"))
    assert everything["students"] == 5
    assert "东西湖区" in run("metrics", "--node", "420112")
    rows = json.loads(run("metrics", "--node", "3420112001", "--metric", "class_sizes", "--json"))["rows"]
    assert sorted(r["size"] for r in rows) == [1, 2]
    assert [s["date"] for s in json.loads(run("list", "--json"))] == ["2026-11-20"]


def test_errors_are_chinese_messages(region):
    with pytest.raises(CommandError, match="zhijiao analytics snapshot"):
        run("metrics", "--node", "420112", "--json")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("snapshot", "--date", "20.11.2026")
    run("snapshot")
    with pytest.raises(CommandError, match="记录不存在"):
        run("metrics", "--node", "9999999999")


def test_sql_for_another_engine():
    sql = run("sql", "--metric", "school_staffing", "--dialect", "trino", "--node", "420112")
    assert '"students"' in sql and "'420112'" in sql


def test_a_queued_snapshot_is_skipped_when_a_newer_one_covers_the_change(region):
    before = (timezone.now() - timedelta(minutes=5)).isoformat()
    assert snapshot_task.call_local(changed_at=before) == f"{timezone.localdate():%Y-%m-%d}"
    assert snapshot_task.call_local(changed_at=before) == ""  # the snapshot just taken already covers it
    assert Snapshot.objects.get().trigger == SnapshotTrigger.IMPORT
    later = (timezone.now() + timedelta(seconds=1)).isoformat()
    assert snapshot_task.call_local(changed_at=later) != ""
    nightly_snapshot.call_local()
    assert Snapshot.objects.get().trigger == SnapshotTrigger.NIGHTLY


def test_a_change_schedules_a_snapshot_for_the_worker(region, monkeypatch):
    monkeypatch.setattr(HUEY, "immediate", True)  # in-memory storage: scheduled tasks wait there, unrun
    snapshot_after_change()
    (task,) = [t for t in HUEY.scheduled() if t.name.endswith("snapshot_task")]
    assert task.eta > timezone.now().replace(tzinfo=None) + timedelta(seconds=60)
    assert not Snapshot.objects.exists()

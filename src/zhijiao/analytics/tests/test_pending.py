"""Statistics pages before the first warehouse snapshot: the page queues one (once, however many pages ask) and
says, in plain words, that the figures are being made; the operator's command stays in the API's message and in
``zhijiao check``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY

from zhijiao.analytics import tasks
from zhijiao.analytics.models import Snapshot, SnapshotTrigger
from zhijiao.analytics.services import snapshot_take
from zhijiao.testing import login_as
from zhijiao.web.integrity import integrity_report

PAGES = ["/analytics/", "/analytics/420112/", "/analytics/report/", "/analytics/export/figures.xlsx"]


@pytest.fixture(autouse=True)
def _memory_queue(monkeypatch):
    """Immediate mode gives Huey a fresh in-memory store: no request marker left over from another test."""
    monkeypatch.setattr(HUEY, "immediate", True)


@pytest.fixture
def queued(monkeypatch):
    """Record snapshot jobs instead of running them."""
    calls: list[dict] = []
    monkeypatch.setattr(tasks, "snapshot_task", lambda **kwargs: calls.append(kwargs))
    return calls


def test_without_a_snapshot_the_page_queues_one_once_and_says_so_plainly(client, region, queued):
    login_as(client, "bureau")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"]
        html = response.content.decode()
        assert "统计数据正在生成，请稍后刷新" in html, url
        assert "zhijiao analytics" not in html and "快照" not in html, url
        assert f'href="{url}"' in html, url  # 刷新 reloads the page that was asked for
    assert len(queued) == 1  # debounced: one job however many pages ask
    assert queued[0]["trigger"] == SnapshotTrigger.ON_DEMAND


def test_accounts_without_statistics_still_get_403_and_queue_nothing(client, region, queued):
    for who in ("teacher", "student", "parent"):
        login_as(client, who)
        response = client.get("/analytics/")
        assert response.status_code == 403, who
        assert "统计数据正在生成" not in response.content.decode()
    assert queued == []


def test_the_queued_job_makes_the_figures_appear(client, region):
    """With the job run (immediate mode, as the worker would), the next visit shows the statistics."""
    login_as(client, "bureau")
    assert client.get("/analytics/").status_code == 503
    snapshot = Snapshot.objects.get()
    assert snapshot.trigger == SnapshotTrigger.ON_DEMAND
    page = client.get("/analytics/")
    assert page.status_code == 200 and "统计数据正在生成" not in page.content.decode()
    # done: a later page that finds no snapshot (all removed) may ask again
    Snapshot.objects.all().delete()
    assert client.get("/analytics/").status_code == 503
    assert Snapshot.objects.count() == 1


def test_a_request_left_unserved_for_long_is_asked_again(client, region, queued, monkeypatch):
    """The worker was down and its queue lost: after a while the marker is stale and a page queues again."""
    login_as(client, "bureau")
    client.get("/analytics/")
    client.get("/analytics/")
    assert len(queued) == 1
    monkeypatch.setattr(tasks, "SNAPSHOT_REQUEST_STALE", tasks.SNAPSHOT_REQUEST_STALE * 0)
    client.get("/analytics/")
    assert len(queued) == 2


def test_missing_snapshot_files_are_made_again_too(client, region, queued):
    snapshot = snapshot_take()
    shutil.rmtree(Path(snapshot.path))
    login_as(client, "bureau")
    response = client.get("/analytics/")
    assert response.status_code == 503 and "统计数据正在生成" in response.content.decode()
    assert len(queued) == 1


def test_the_api_keeps_the_operator_hint(client, region, queued):
    login_as(client, "admin")
    response = client.get("/api/v1/analytics/metrics")
    assert response.status_code == 503
    assert "zhijiao analytics snapshot" in response.json()["message"]
    assert queued == []  # systems are told what to run; only the pages queue the job


def test_check_warns_without_a_snapshot(region):
    found = {r.title: r for r in integrity_report()}
    result = found["统计快照"]
    assert result.ok and result.warning
    assert "zhijiao analytics snapshot" in result.detail
    snapshot_take()
    result = {r.title: r for r in integrity_report()}["统计快照"]
    assert result.ok and not result.warning

"""A finished batch tells the registry's consumers through ``registry_changed``; intake imports none of them."""

from __future__ import annotations

from datetime import date

import pytest

from zhijiao.core.events import RegistryChange, registry_deliver, registry_subscribers
from zhijiao.intake.tests.test_pipeline import assert_sums, row, run, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HOME = tmp_path


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """What each subscriber queues for the worker, recorded instead of queued."""
    calls: list[tuple] = []
    monkeypatch.setattr("zhijiao.analytics.tasks.snapshot_after_change", lambda: calls.append(("snapshot",)))
    monkeypatch.setattr(
        "zhijiao.catalogue.tasks.quality_refresh_task", lambda datasets=None: calls.append(("quality", datasets))
    )
    monkeypatch.setattr(
        "zhijiao.identity.tasks.accounts_sync_task", lambda school_id=None: calls.append(("accounts", school_id))
    )
    return calls


def test_the_apps_subscribe_in_their_app_configs():
    assert {"analytics.snapshot", "catalogue.quality", "identity.accounts"} <= set(registry_subscribers())


def test_a_done_batch_queues_each_consumer_on_commit(region, tmp_path, queued, django_capture_on_commit_callbacks):
    school = region.schools["A"]
    path = write_csv(tmp_path / "s.csv", [row("孙小明", date(2018, 5, 5), "1", 61)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = run(path, school=school.code)
    assert_sums(batch)
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(queued, key=str) == sorted(
        [("snapshot",), ("quality", ["students"]), ("accounts", school.pk)], key=str
    )


def test_a_region_wide_change_provisions_everyone_and_a_kind_without_accounts_none(queued):
    registry_deliver(RegistryChange(kinds=frozenset({"guardians"}), schools=None, source="intake", batch=1))
    assert ("accounts", None) in queued
    queued.clear()
    registry_deliver(RegistryChange(kinds=frozenset({"schools"}), schools=frozenset({1}), source="intake", batch=2))
    assert ("quality", ["schools"]) in queued and ("snapshot",) in queued
    assert not [c for c in queued if c[0] == "accounts"]


def test_single_edits_wait_for_the_nightly_jobs(queued):
    registry_deliver(RegistryChange(kinds=frozenset({"students"}), schools=frozenset({1}), source="web"))
    assert queued == []


def test_a_failed_queue_never_fails_the_import(region, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    def down(*args, **kwargs):
        raise ConnectionError("the job queue is down")

    monkeypatch.setattr("zhijiao.analytics.tasks.snapshot_after_change", down)
    monkeypatch.setattr("zhijiao.catalogue.tasks.quality_refresh_task", down)
    monkeypatch.setattr("zhijiao.identity.tasks.accounts_sync_task", down)
    path = write_csv(tmp_path / "s.csv", [row("孙小红", date(2018, 6, 6), "2", 62)])
    with django_capture_on_commit_callbacks(execute=True):
        batch = run(path)
    assert_sums(batch)
    assert batch.created == 1

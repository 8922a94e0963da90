"""The "registry changed" bus: delivered on commit only, merged when collected, a failing subscriber never
breaks the writer."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from zhijiao.core import events
from zhijiao.core.events import (
    RegistryChange,
    registry_changed,
    registry_changes_collected,
    registry_deliver,
    registry_subscribe,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch) -> list[RegistryChange]:
    """Only this test's subscriber listens; the apps' own are set aside for the test."""
    monkeypatch.setattr(events, "_subscribers", {})
    got: list[RegistryChange] = []
    registry_subscribe("test", got.append)
    return got


def test_a_change_is_delivered_when_the_transaction_commits(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        registry_changed(["students"], schools=[7], source="intake", batch=3)
        assert heard == []  # not before the commit
    assert len(callbacks) == 1
    assert heard == [RegistryChange(kinds=frozenset({"students"}), schools=frozenset({7}), source="intake", batch=3)]


def test_a_rolled_back_change_is_never_delivered(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                registry_changed(["staff"], source="web")
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert heard == []


def test_collected_changes_become_one(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, registry_changes_collected(source="demo"):
        registry_changed(["schools"], schools=[1])
        registry_changed(["students", "guardians"], schools=[2])
    assert len(callbacks) == 1
    (change,) = heard
    assert change.kinds == {"schools", "students", "guardians"}
    assert change.schools == {1, 2}
    assert change.source == "demo"


def test_an_unknown_school_set_stays_unknown_when_merged(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), registry_changes_collected():
        registry_changed(["classes"], schools=[1])
        registry_changed(["classes"])  # region-wide
    assert heard[0].schools is None


def test_quiet_collection_publishes_nothing(heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, registry_changes_collected(publish=False):
        registry_changed(["students"])
    assert callbacks == [] and heard == []


def test_a_failing_subscriber_is_logged_and_the_others_still_hear(heard, caplog):
    def broken(change: RegistryChange) -> None:
        raise ConnectionError("queue down")

    registry_subscribe("broken", broken)
    registry_subscribe("after", heard.append)
    with caplog.at_level(logging.ERROR, logger="zhijiao.core.events"):
        registry_deliver(RegistryChange(kinds=frozenset({"students"})))
    assert len(heard) == 2  # "test" and "after"
    assert "broken" in caplog.text

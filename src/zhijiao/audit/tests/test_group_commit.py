"""Group commit of the audit appends made outside a transaction (``audit.services._append_grouped``): events of
concurrent requests are written together, on one valid chain, each committed before its ``audit_record`` returns."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from zhijiao.audit import services
from zhijiao.audit.models import AuditChainHead, AuditEvent
from zhijiao.audit.selectors import audit_chain_verify
from zhijiao.audit.services import Origin, Target, audit_record

pytestmark = pytest.mark.django_db(transaction=True)


def _view(label: str, action: str = "person.view_pii") -> AuditEvent:
    return audit_record(
        actor=None,
        action=action,
        origin=Origin(channel="api", ip="2001:DB8::1", user_agent="pytest"),  # stored normalised: hashed so
        target=Target("student", label, f"学生{label}"),
        fields=["id_number"],
    )


def _in_thread(fn, *args):
    try:
        return fn(*args)
    finally:
        connection.close()


def _queued(n: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(services._queue) < n:
        assert time.monotonic() < deadline, "the appends never queued"
        time.sleep(0.005)


@contextmanager
def _writing():
    """Hold the writer lock as a leader writing a batch does; the block calls the function it gets to finish."""
    services._writer.acquire()
    held = [True]

    def done() -> None:
        if held[0]:
            held[0] = False
            services._writer.release()

    try:
        yield done
    finally:
        done()


@pytest.fixture
def batches(monkeypatch) -> list[int]:
    """The size of every batch written (one transaction each), whichever way it is written."""
    sizes: list[int] = []
    for name in ("_append_locked", "_append_sqlite_batch"):
        real = getattr(services, name)

        def spy(batch, real=real):
            sizes.append(len(batch))
            return real(batch)

        monkeypatch.setattr(services, name, spy)
    return sizes


def test_concurrent_appends_form_one_valid_chain_and_each_is_committed_on_return():
    def views(n: int) -> list[int]:
        ids = []
        for i in range(10):
            event = _view(f"{n}-{i}")
            # committed before audit_record returned: a fresh connection of another thread sees it already
            ids.append(event.pk)
        return ids

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = [pk for chunk in pool.map(lambda n: _in_thread(views, n), range(8)) for pk in chunk]
    assert len(ids) == len(set(ids)) == 80
    assert sorted(ids) == list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    prevs = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == 80  # nobody chained onto the same predecessor
    head = AuditChainHead.objects.get(pk=1)
    assert head.last_id == max(ids)
    assert audit_chain_verify() == []


def test_appends_queued_while_one_is_written_share_one_transaction(batches):
    with _writing() as done, ThreadPoolExecutor(max_workers=5) as pool:  # five more requests queue behind a batch
        futures = [pool.submit(_in_thread, _view, str(i)) for i in range(5)]
        _queued(5)
        assert not any(f.done() for f in futures)  # nobody returns before its event is written
        done()
        events = [f.result(timeout=30) for f in futures]
    assert batches == [5]
    assert {e.target_id for e in events} == {str(i) for i in range(5)}
    stored = list(AuditEvent.objects.order_by("id").values_list("id", "hash"))
    assert [pk for pk, _ in stored] == sorted(e.pk for e in events)
    assert {e.hash for e in events} == {h for _, h in stored}
    assert audit_chain_verify() == []


def test_an_event_that_cannot_be_written_fails_only_its_own_request(batches):
    def view(label: str) -> AuditEvent:
        fields = ["id_number", object()] if label == "bad" else ["id_number"]  # not JSON: cannot be stored
        return audit_record(
            actor=None, action="person.view_pii", origin=Origin(), target=Target("student", label), fields=fields
        )

    with _writing() as done, ThreadPoolExecutor(max_workers=3) as pool:
        futures = {label: pool.submit(_in_thread, view, label) for label in ("a", "bad", "b")}
        _queued(3)
        done()
        for f in futures.values():
            f.exception(timeout=30)
    assert batches == [3, 1, 1, 1]  # the batch failed as a whole and was rolled back, then each event alone
    assert isinstance(futures["bad"].exception(), TypeError)
    assert futures["a"].result().pk and futures["b"].result().pk
    assert sorted(AuditEvent.objects.values_list("target_id", flat=True)) == ["a", "b"]
    assert audit_chain_verify() == []


def test_inside_a_transaction_the_event_is_the_callers_and_goes_with_a_rollback(batches):
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        _view("1")
        raise Undo
    assert not AuditEvent.objects.exists()
    with transaction.atomic():
        event = _view("2")
    assert batches == [1, 1]
    assert not services._queue  # never queued
    assert list(AuditEvent.objects.values_list("id", flat=True)) == [event.pk]
    assert audit_chain_verify() == []


def test_an_idle_server_writes_each_event_at_once(batches):
    first, second = _view("1"), _view("2")
    assert batches == [1, 1]
    assert second.prev_hash == first.hash
    assert audit_chain_verify() == []


def test_leaders_of_several_processes_queue_on_a_file_lock(tmp_path, monkeypatch):
    """On a SQLite file the batch is written under an exclusive ``flock`` of ``<database>.audit-lock``: a second
    holder (another web process) waits until the first lets go."""
    fcntl = pytest.importorskip("fcntl")
    if connection.vendor != "sqlite":
        pytest.skip("the file lock is SQLite's")
    database = tmp_path / "zhijiao.sqlite3"
    monkeypatch.setitem(connection.settings_dict, "NAME", str(database))
    order: list[str] = []
    with services._writers_across_processes():
        other = open(f"{database}.audit-lock", "rb")  # noqa: SIM115  # another process's descriptor
        with pytest.raises(BlockingIOError):
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

        def wait() -> None:
            fcntl.flock(other.fileno(), fcntl.LOCK_EX)
            order.append("other")
            fcntl.flock(other.fileno(), fcntl.LOCK_UN)

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.05)
        order.append("leader")
    waiter.join(timeout=10)
    other.close()
    assert order == ["leader", "other"]

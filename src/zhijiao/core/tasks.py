"""Huey jobs of core, registered with the worker (which imports every app's ``tasks``): the outbox's send-after-
commit and five-minute drain jobs, defined beside what they run in :mod:`zhijiao.core.outbox`."""

from __future__ import annotations

from zhijiao.core.outbox import outbox_drain_task, outbox_send_task

__all__ = ["outbox_drain_task", "outbox_send_task"]

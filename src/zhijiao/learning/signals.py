"""``marks_changed``: an assignment's marks changed — pupils' online answers were marked automatically on
submission, a teacher marked answers, a marking export was imported, or the assignment closed.

The homework code sends it (``send_marks_changed``) inside its write transaction; it is delivered when that
transaction commits, never for a write that was rolled back. The diagnosis subscribes and only *queues* a refit for
the worker (nothing blocks a page). Receivers get ``assignment_id``.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

marks_changed = Signal()


def send_marks_changed(assignment_id: int) -> None:
    transaction.on_commit(lambda: marks_changed.send(sender="learning", assignment_id=assignment_id))

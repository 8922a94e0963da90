"""Who hears of a taxonomy import. Curriculum sits low (it imports only core), so the audit log, above it, listens
here (``AuditConfig.ready()``) and records every import: who, which file, from where, and the counts.

A listener that raises fails the import (an import the audit log cannot record is not made).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zhijiao.core.actor import Actor


@dataclass(frozen=True)
class TaxonomyImported:
    actor: Actor | None  # None: the operator on the server (the CLI)
    channel: str  # web, cli
    name: str  # the file's name
    ok: bool  # False: rows to correct, nothing written
    rows_in: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    editions: tuple[str, ...]
    request: Any = None  # the web upload's request (where it came from)


Listener = Callable[[TaxonomyImported], None]
_listeners: dict[str, Listener] = {}


def taxonomy_import_subscribe(name: str, listener: Listener) -> None:
    """Call ``listener`` after each taxonomy import (inside its transaction when rows were written)."""
    _listeners[name] = listener


def taxonomy_imported(event: TaxonomyImported) -> None:
    for listener in list(_listeners.values()):
        listener(event)

"""What consumers may know of the import batches, without importing the intake app.

The warnings (analytics) and the quality scores (catalogue) need two facts about finished imports: when each
school last reported, and the rows read and rejected by the recent batches of a kind. The intake app provides
them (``IntakeConfig.ready()``); a deployment without intake has no batches, so the empty answers stand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

BatchFigures = tuple[int, int, datetime | None, int]  # rows in, rejected, last finished, batches


def _no_reports() -> dict[int, datetime]:
    return {}


def _no_figures(kind: str, count: int) -> tuple[dict[int, BatchFigures], BatchFigures]:
    return {}, (0, 0, None, 0)


@dataclass(frozen=True)
class ImportFacts:
    """``last_reported()``: school id → when its newest finished batch finished.
    ``recent_figures(kind, count)``: rows in, rejected, last finished and number of batches over the newest
    ``count`` finished batches of ``kind``, per school and over the whole region."""

    last_reported: Callable[[], dict[int, datetime]] = _no_reports
    recent_figures: Callable[[str, int], tuple[dict[int, BatchFigures], BatchFigures]] = _no_figures


_provided: list[ImportFacts] = []


def import_facts_provide(facts: ImportFacts) -> None:
    _provided[:] = [facts]


def import_facts() -> ImportFacts:
    return _provided[0] if _provided else ImportFacts()

"""Frame helpers for the bulk paths (intake, the people frame services)."""

from __future__ import annotations

import polars as pl


def attach(
    frame: pl.DataFrame,
    right: pl.DataFrame,
    *,
    on: str | list[str] | None = None,
    left_on: str | list[str] | None = None,
    right_on: str | list[str] | None = None,
) -> pl.DataFrame:
    """``frame`` with ``right``'s other columns left-joined on, in ``frame``'s row order.

    A join gathers every column of both sides into a new frame; on a wide million-row frame that copies
    gigabytes. Here only the key columns go through the join and the found columns are stacked beside the
    untouched ones. ``right`` must be unique on its keys (a lookup table), else this raises ``ValueError``.
    """
    keys = on if on is not None else left_on
    key_columns = [keys] if isinstance(keys, str) else list(keys or [])
    found = frame.select(key_columns).join(
        right, on=on, left_on=left_on, right_on=right_on, how="left", maintain_order="left"
    )
    if found.height != frame.height:
        raise ValueError(f"attach: the lookup table is not unique on {key_columns}")
    return frame.hstack(found.drop(key_columns).get_columns())

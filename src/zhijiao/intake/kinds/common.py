"""Pieces every kind's writer shares: outcomes and recorded decisions (the writes and their history are the
people and org services')."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from zhijiao.intake.models import MatchDecision


@dataclass
class Outcome:
    """One row per accepted input row: ``_row``, ``_outcome`` (created/updated/unchanged), ``_record`` (id)."""

    frame: pl.DataFrame

    @classmethod
    def of(cls, rows: list[tuple[int, str, int]]) -> Outcome:
        schema = {"_row": pl.Int64, "_outcome": pl.String, "_record": pl.Int64}
        return cls(pl.DataFrame(rows, schema=schema, orient="row"))


def enrol_key(person_id: pl.Expr, school_code: pl.Expr) -> pl.Expr:
    return pl.lit("enrol:") + person_id.cast(pl.String) + pl.lit(":") + school_code


def decisions_frame() -> pl.DataFrame:
    rows = list(MatchDecision.objects.values_list("key", "verdict", "person_id"))
    return pl.DataFrame(rows, schema={"key": pl.String, "verdict": pl.String, "person_id": pl.Int64}, orient="row")

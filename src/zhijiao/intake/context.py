"""What a run needs to know besides the file: who imports, into which schools, on which day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.intake.models import ImportBatch
from zhijiao.org.models import School, SchoolClass
from zhijiao.org.selectors import current_school_year


@dataclass
class RunContext:
    batch: ImportBatch
    actor: Actor | None  # None for system runs (the CLI acts as the platform)
    today: date
    school_year: int
    only_school_id: int | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # registry frames read once per run
    _schools: pl.DataFrame | None = field(default=None, repr=False)

    @property
    def source(self) -> str:
        return f"import:{self.batch.pk}"

    def schools(self) -> pl.DataFrame:
        """school_id, school_code, stages, managed (may this actor change the school's data)."""
        if self._schools is None:
            rows = list(School.objects.values_list("pk", "code", "stages"))
            if self.actor is None:
                managed = {pk for pk, _, _ in rows}
            else:
                scope = scope_for(self.actor)
                managed = set(School.objects.filter(scope.managed_schools_q()).values_list("pk", flat=True))
            self._schools = pl.DataFrame(
                {
                    "school_id": [r[0] for r in rows],
                    "school_code": [r[1] for r in rows],
                    "school_stages": [r[2] for r in rows],
                    "managed": [r[0] in managed for r in rows],
                },
                schema={
                    "school_id": pl.Int64,
                    "school_code": pl.String,
                    "school_stages": pl.String,
                    "managed": pl.Boolean,
                },
            )
        return self._schools

    def classes(self) -> pl.DataFrame:
        rows = SchoolClass.objects.filter(is_active=True).values_list(
            "pk", "school_id", "grade__stage", "grade__entry_year", "number", "capacity"
        )
        return pl.DataFrame(
            list(rows),
            schema={
                "class_id": pl.Int64,
                "school_id": pl.Int64,
                "stage": pl.String,
                "entry_year": pl.Int32,
                "class_no": pl.Int32,
                "capacity": pl.Int32,
            },
            orient="row",
        )


def run_context(batch: ImportBatch, *, today: date) -> RunContext:
    return RunContext(
        batch=batch,
        actor=batch.actor,
        today=today,
        school_year=current_school_year(),
        only_school_id=batch.school_id,
    )

"""One import run: read → normalise and validate → match → write, all-or-nothing for the accepted rows.

Every input row ends as created, updated, unchanged or rejected. Rejected rows and rows with warnings are
kept in the quarantine with their original values and every reason; the registry writes, the quarantine,
the match cases and the batch's final counts commit in one transaction (the error report is written inside
it), so a killed run leaves no partial batch (the batch row says "处理中" until :func:`batches_reap` marks it
interrupted) and re-running is safe.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from zhijiao.core import bulk
from zhijiao.core.errors import ZhijiaoError
from zhijiao.intake.checks import Checks
from zhijiao.intake.context import RunContext, run_context
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.kinds import assignments, classes, guardians, schools, staff, students
from zhijiao.intake.masking import masked_restore
from zhijiao.intake.models import BatchStatus, CaseKind, ImportBatch, MatchCase
from zhijiao.intake.reading import Table, read_table
from zhijiao.intake.reaping import batches_reap
from zhijiao.intake.report import report_path, report_write
from zhijiao.intake.spec import SPECS
from zhijiao.org.models import School
from zhijiao.people.models import Person

log = logging.getLogger(__name__)
__all__ = ["batch_run", "batches_reap", "summary"]

HANDLERS: dict[str, ModuleType] = {
    "schools": schools,
    "classes": classes,
    "staff": staff,
    "students": students,
    "guardians": guardians,
    "assignments": assignments,
}
STAGES = {"read": ("读取文件", 10), "check": ("校验数据", 35), "match": ("比对人员", 55), "write": ("写入数据库", 75)}
HOLD_CASES = {
    IntakeError.INTAKE_DUPLICATE_ENROLMENT.code: CaseKind.DUPLICATE_ENROLMENT,
    IntakeError.INTAKE_PENDING_REVIEW.code: CaseKind.UNCERTAIN_MATCH,
}


def _stage(batch: ImportBatch, stage: str) -> None:
    label, percent = STAGES[stage]
    batch.stage = f"{label}|{percent}"
    ImportBatch.objects.filter(pk=batch.pk).update(stage=batch.stage)


def batch_run(batch: ImportBatch, *, today: date | None = None) -> ImportBatch:
    """Run a pending batch to its end (done or failed); the caller is the worker, the CLI or a test."""
    batch.status, batch.pid, batch.started_at = BatchStatus.RUNNING, os.getpid(), timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(status=batch.status, pid=batch.pid, started_at=batch.started_at)
    ctx = run_context(batch, today=today or timezone.localdate())
    try:
        _run(ctx)
    except ZhijiaoError as exc:
        _fail(batch, exc.message)
    except Exception as exc:
        log.exception("import batch %s failed", batch.pk)
        _fail(batch, f"导入时发生内部错误，已回滚，未写入任何数据（{type(exc).__name__}）")
    return batch


def _fail(batch: ImportBatch, message: str) -> None:
    batch.status, batch.error, batch.finished_at = BatchStatus.FAILED, message, timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=batch.status, error=message, finished_at=batch.finished_at, rows_in=batch.rows_in, stage=""
    )


def _run(ctx: RunContext) -> None:
    batch = ctx.batch
    spec, handler = SPECS[batch.kind], HANDLERS[batch.kind]
    _stage(batch, "read")
    table = read_table(Path(batch.file_path), spec)
    if table.is_report:
        table.frame = masked_restore(ctx, table, spec)
    batch.rows_in = table.frame.height
    ImportBatch.objects.filter(pk=batch.pk).update(rows_in=batch.rows_in)
    if batch.rows_in == 0:
        raise ZhijiaoError(IntakeError.INTAKE_EMPTY)
    _stage(batch, "check")
    checks = Checks(spec)
    frame = handler.prepare(ctx, table.frame, checks)
    raw_columns = [f"c{i}" for i in range(len(table.raw_headers)) if f"c{i}" in frame.columns]
    # Keep three slim views and let the wide checked frame go (a million rows × a hundred columns is gigabytes):
    # the original cells by row (zero-copy), the rows that broke a rule with every column their messages need,
    # and the accepted rows with the columns matching and writing use.
    raw = frame.select("_row", *raw_columns)
    flagged = frame.filter(pl.col("_error") | pl.col("_warn"))
    accepted = frame.filter(~pl.col("_error")).select(_work_columns(frame.columns))
    n_invalid = frame.height - accepted.height
    table.frame = raw
    del frame
    _stage(batch, "match")
    accepted = handler.match(ctx, accepted)
    writable = accepted.filter(pl.col("_hold").is_null())
    held = accepted.filter(pl.col("_hold").is_not_null()).join(raw, on="_row", how="left")
    del accepted
    _stage(batch, "write")
    # the report is written inside the transaction: if it cannot be written nothing commits, and if the
    # commit fails the report goes too, so "failed, nothing written" and "done, see the report" are both true
    try:
        with transaction.atomic():
            outcome = handler.write(ctx, writable).frame
            counts = dict(outcome.group_by("_outcome").len().iter_rows())
            warned = writable.filter(pl.col("_warn")).select("_row")
            del writable
            quarantined = _quarantine(ctx, table, checks, flagged, held, warned)
            batch.created = counts.get("created", 0)
            batch.updated = counts.get("updated", 0)
            batch.unchanged = counts.get("unchanged", 0)
            batch.rejected = n_invalid + held.height
            batch.warnings = warned.height
            batch.conflicts = _cases(ctx, table, held)
            assert batch.created + batch.updated + batch.unchanged + batch.rejected == batch.rows_in, (
                "every row counted"
            )
            report_write(batch, quarantined, SPECS[batch.kind])
            batch.status, batch.stage, batch.finished_at = BatchStatus.DONE, "", timezone.now()
            batch.save()
    except BaseException:
        report_path(batch).unlink(missing_ok=True)
        raise


# -------------------------------------------------------------------------------------------- quarantine
def _jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _hold_issues(held: pl.DataFrame) -> pl.DataFrame:
    """The matching stage's reason for each held row (few rows: rendered in Python with names)."""
    rows = (
        held.select(
            "_row", "_hold", "person_id", "_candidate", "p_by_no", "cur_school_id", "_score", strict=False
        ).to_dicts()
        if held.height
        else []
    )
    school_ids = {r.get("cur_school_id") for r in rows}
    schools = dict(School.objects.filter(pk__in=[s for s in school_ids if s]).values_list("pk", "name"))
    person_ids = {r.get("p_by_no") for r in rows} | {r.get("person_id") or r.get("_candidate") for r in rows}
    people = dict(Person.objects.filter(pk__in=[p for p in person_ids if p]).values_list("pk", "name"))
    issues = []
    for row in rows:
        code = row["_hold"]
        message = IntakeError[code].message
        if code in (IntakeError.INTAKE_DUPLICATE_ENROLMENT.code, IntakeError.INTAKE_DECIDED_ELSEWHERE.code):
            message += f"（在籍学校：{schools.get(row.get('cur_school_id') or 0, '')}）"
        elif code == IntakeError.INTAKE_STUDENT_NO_TAKEN.code:
            message += f"（{people.get(row.get('p_by_no') or 0, '')}）"
        elif code == IntakeError.INTAKE_PENDING_REVIEW.code:
            candidate = people.get(row.get("_candidate") or 0, "")
            message += f"（{candidate}，匹配概率 {100 * (row.get('_score') or 0):.0f}%）"
        issues.append({"_row": row["_row"], "code": code, "severity": "error", "field": "", "message": message})
    schema = {"_row": pl.Int64, "code": pl.String, "severity": pl.String, "field": pl.String, "message": pl.String}
    return (
        pl.DataFrame(issues, schema=schema)
        .group_by("_row", maintain_order=True)
        .agg(issues=pl.struct("code", "severity", "field", "message"))
    )


def _work_columns(columns: list[str]) -> list[str]:
    """What matching and writing read: normalised fields, resolved ids and flags, not raw cells or rule columns."""
    return [c for c in columns if not RULE_OR_RAW.match(c)]


RULE_OR_RAW = re.compile(r"^(c\d+|_raw_.*|_r\d+|_first_.*|.*_right)$")


def _quarantine(
    ctx: RunContext,
    table: Table,
    checks: Checks,
    flagged: pl.DataFrame,
    held: pl.DataFrame,
    warned: pl.DataFrame,
) -> pl.DataFrame:
    """Store rejected and warned rows with their original values and every reason; return them for the report.

    ``flagged`` holds the rows that broke a rule (errors or warnings) with every column; ``table.frame`` the
    original cells of every row. Vectorised: messages and JSON are built by Polars, rows written in bulk.
    """
    held_rows = held.select("_row")
    rejected = pl.concat([flagged.filter(pl.col("_error")).select("_row"), held_rows])
    rows = pl.concat([rejected, warned]).unique()
    issues = (
        pl.concat([_hold_issues(held), checks.issue_frame(flagged)])
        .group_by("_row", maintain_order=True)
        .agg(pl.col("issues").list.explode(keep_nulls=False, empty_as_null=False))
    )
    named = [(f"c{i}", h) for i, h in enumerate(table.output_headers(SPECS[ctx.batch.kind]))]
    named = [(c, h) for c, h in named if c in table.frame.columns]
    raw_columns, headers = [c for c, _ in named], [h for _, h in named]
    out = (
        table.frame.join(rows, on="_row", how="semi")
        .select("_row", *raw_columns)
        .join(issues, on="_row", how="inner")
        .with_columns(
            rejected=pl.col("_row").is_in(rejected["_row"].implode()),
            raw=pl.struct(
                [pl.col(c).alias(h) for c, h in zip(raw_columns, headers, strict=False)]
            ).struct.json_encode(),
            issues_json=pl.concat_str(
                [
                    pl.lit("["),
                    pl.col("issues").list.eval(pl.element().struct.json_encode()).list.join(","),
                    pl.lit("]"),
                ]
            ),
        )
        .sort(["rejected", "_row"], descending=[True, False])
    )
    bulk.insert(
        "intake_quarantinerow",
        out.select(
            pl.lit(ctx.batch.pk, dtype=pl.Int64).alias("batch_id"),
            pl.col("_row").alias("row_no"),
            "rejected",
            "raw",
            pl.col("issues_json").alias("issues"),
        ),
    )
    return out.rename({c: h for c, h in zip(raw_columns, headers, strict=False)})


def _cases(ctx: RunContext, table: Table, held: pl.DataFrame) -> int:
    """Open a case for each row held for a person the bureau must decide about."""
    headers = table.output_headers(SPECS[ctx.batch.kind])
    cases = []
    for row in held.to_dicts():
        kind = HOLD_CASES.get(row["_hold"])
        person = row.get("person_id") or row.get("_candidate")
        if kind is None or not person:
            continue
        raw = {h: row.get(f"c{i}") for i, h in enumerate(headers) if row.get(f"c{i}") not in (None, "")}
        cases.append(
            MatchCase(
                kind=kind,
                batch=ctx.batch,
                row_no=row["_row"],
                data={k: _jsonable(row.get(k)) for k in CASE_FIELDS},
                raw=raw,
                key=str(row.get("_key") if kind == CaseKind.DUPLICATE_ENROLMENT else row.get("_link_key") or ""),
                person_id=person,
                school_id=row["school_id"],
                other_school_id=row.get("cur_school_id"),
                score=row.get("_score"),
            )
        )
    MatchCase.objects.bulk_create(cases, batch_size=1000)
    return len(cases)


CASE_FIELDS = ("name", "sex", "birth_date", "id_number", "student_no", "school_code", "guardian_name", "guardian_phone")


def summary(batch: ImportBatch) -> dict[str, Any]:
    """The CLI's and the API's JSON summary of a batch."""
    return {
        "batch": batch.pk,
        "kind": batch.kind,
        "status": batch.status,
        "rows_in": batch.rows_in,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "rejected": batch.rejected,
        "warnings": batch.warnings,
        "conflicts": batch.conflicts,
        "report": str(report) if (report := report_path(batch)).exists() else "",
        "error": batch.error,
    }

"""数据交换 push: records pushed over the API go through the intake pipeline that file imports use.

``exchange_push`` runs :func:`zhijiao.intake.services.import_records` and answers one result per record.
The pipeline keeps no per-row outcome, so each row's status is read back from what the run stored
(row ``r`` of batch ``b`` is the record at index ``r - 2``):

* rejected: a ``QuarantineRow`` of the batch with ``rejected=True`` (validation errors, or held for review);
* created: the kind's record whose ``origin`` is ``import:<b>#<r>`` (set only when a write creates a record);
* updated: a ``ChangeRecord`` with ``source`` ``import:<b>#<r>`` — or, for students, a guardianship created
  with that origin for a student who already existed (a new guardian changes no field, so has no ChangeRecord);
* otherwise unchanged.

The derived counts are checked against the batch's own counts; the one update the pipeline leaves no per-row
trace of (a staff post re-activated with no field changed) is attributed only when the counts leave no doubt.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin
from zhijiao.core.errors import ErrorCode, Forbidden, ZhijiaoError
from zhijiao.core.feed import feed_position
from zhijiao.intake.errors import MAX_PUSH_RECORDS, ExchangeError, IntakeError
from zhijiao.intake.models import BatchStatus, ImportBatch, QuarantineRow
from zhijiao.intake.reading import header_key
from zhijiao.intake.services import import_records
from zhijiao.intake.spec import SPECS, KindSpec
from zhijiao.org.models import School, SchoolClass
from zhijiao.people.models import ChangeRecord, Guardianship, Staff, Student, TeachingAssignment

log = logging.getLogger(__name__)

FIRST_ROW = 2  # record i is row i + 2 of the pipeline's table: row 1 is the header


@dataclass
class _Record:
    """A pushed record after the API's own checks: values by field key, or errors that keep it out."""

    values: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)


def _issue(error: ErrorCode, header: str = "", detail: str = "") -> dict[str, str]:
    message = error.message + (f"（{detail}）" if detail else "")
    return {"code": error.code, "field": header, "message": f"{header}：{message}" if header else message}


def _field_index(spec: KindSpec) -> dict[str, str]:
    """Names a record may use for a field (key, header, synonym; as the file reader compares them) → field key."""
    index: dict[str, str] = {}
    for f in spec.fields:
        for name in f.synonyms:
            index[header_key(name)] = f.key
    for f in spec.fields:  # a field's own header wins over another field's synonym, as in the file reader
        index[header_key(f.header)] = f.key
    for f in spec.fields:
        index[header_key(f.key)] = f.key
    return index


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _prepare(spec: KindSpec, index: dict[str, str], record: dict[str, Any]) -> _Record:
    """Map a record's names to field keys; keep out records the pipeline could not attribute to a row.

    Every field is sent (blank when not given): a blank cell means "not provided" to the pipeline, and a field no
    record names then gives each record a row-level INTAKE_REQUIRED instead of failing the whole batch.
    """
    out = _Record(values={f.key: "" for f in spec.fields})
    for name, value in record.items():
        key = index.get(header_key(name))
        if key is None:
            out.warnings.append(_issue(ExchangeError.INTAKE_EXCHANGE_FIELD_UNKNOWN, str(name)))
            continue
        header = spec.field(key).header
        if value is not None and not isinstance(value, str | int | float | bool):
            out.errors.append(_issue(ExchangeError.INTAKE_EXCHANGE_VALUE_INVALID, header))
            continue
        text = _text(value).strip()
        if text and out.values[key] and out.values[key] != text:
            out.errors.append(
                _issue(ExchangeError.INTAKE_EXCHANGE_FIELD_CONFLICT, header, f"{out.values[key]} / {text}")
            )
        elif text:
            out.values[key] = text
    if not out.errors and not any(out.values.values()):
        # the file reader drops blank rows, so such a record would have no row and no outcome
        out.errors.append(_issue(ExchangeError.INTAKE_EXCHANGE_RECORD_EMPTY))
    return out


_CREATED_IN: dict[str, type[Model]] = {
    "schools": School,
    "classes": SchoolClass,
    "staff": Staff,
    "students": Student,
    "guardians": Guardianship,
    "assignments": TeachingAssignment,
}


def _rows_of(values: Iterable[str], prefix: str) -> set[int]:
    return {int(v[len(prefix) :]) for v in values if v.startswith(prefix) and v[len(prefix) :].isdigit()}


def _row_outcomes(batch: ImportBatch, *, rows: range, since: int) -> dict[int, str]:
    """Each row's outcome, read back from the batch's lineage (see the module docstring)."""
    prefix = f"{batch.source}#"
    rejected = set(QuarantineRow.objects.filter(batch=batch, rejected=True).values_list("row_no", flat=True))
    model = _CREATED_IN[batch.kind]
    made = model._default_manager.filter(origin__startswith=prefix)
    if model is not TeachingAssignment:
        made = made.filter(feed_seq__gt=since)  # indexed; whatever this batch created took a later feed number
    created = _rows_of(made.values_list("origin", flat=True), prefix)
    updated = _rows_of(ChangeRecord.objects.filter(batch_id=batch.pk).values_list("source", flat=True), prefix)
    if batch.kind == "students":
        links = Guardianship.objects.filter(feed_seq__gt=since, origin__startswith=prefix)
        updated |= _rows_of(links.values_list("origin", flat=True), prefix)
    accepted = [r for r in rows if r not in rejected]
    outcomes = {r: "rejected" for r in rows if r in rejected}
    rest = []
    for r in accepted:
        if r in created:
            outcomes[r] = "created"
        elif r in updated:
            outcomes[r] = "updated"
        else:
            outcomes[r] = "unchanged"
            rest.append(r)
    n_created = sum(1 for r in accepted if outcomes[r] == "created")
    missing = batch.updated - sum(1 for r in accepted if outcomes[r] == "updated")
    if missing and missing == len(rest):
        outcomes.update(dict.fromkeys(rest, "updated"))  # e.g. re-activated staff posts: no field changed
    elif missing or n_created != batch.created or len(rejected) != batch.rejected:
        log.warning(
            "batch %s: per-row outcomes do not add up to the batch counts (created %s/%s, updates unattributed %s)",
            batch.pk,
            n_created,
            batch.created,
            missing,
        )
    return outcomes


def exchange_push(
    *, actor: Actor, kind: str, records: list[dict[str, Any]], origin: Origin | None = None
) -> dict[str, Any]:
    """Import pushed records through the intake pipeline and report one result per record, in order."""
    spec = SPECS.get(kind)
    if spec is None:
        raise ZhijiaoError(IntakeError.INTAKE_KIND_UNKNOWN, detail=f"{kind}（可选：{'、'.join(SPECS)}）")
    if not records:
        raise ZhijiaoError(ExchangeError.INTAKE_EXCHANGE_NO_RECORDS)
    if len(records) > MAX_PUSH_RECORDS:
        raise ZhijiaoError(ExchangeError.INTAKE_EXCHANGE_TOO_MANY, detail=f"本次 {len(records)} 条", status=413)
    if not scope_for(actor).manages_data:  # import_records checks too, but only once a record gets that far
        raise Forbidden(IntakeError.INTAKE_NOT_ALLOWED.message)
    index = _field_index(spec)
    prepared = [_prepare(spec, index, record) for record in records]
    passed = [i for i, p in enumerate(prepared) if not p.errors]
    row_of = {i: FIRST_ROW + n for n, i in enumerate(passed)}
    batch: ImportBatch | None = None
    outcomes: dict[int, str] = {}
    issues: dict[int, list[dict[str, str]]] = {}
    if passed:
        since = feed_position()
        batch = import_records(actor=actor, kind=kind, records=[prepared[i].values for i in passed], origin=origin)
        if batch.status != BatchStatus.DONE:
            raise ZhijiaoError(
                ExchangeError.INTAKE_EXCHANGE_BATCH_FAILED, detail=f"批次 {batch.pk}：{batch.error}", status=422
            )
        outcomes = _row_outcomes(batch, rows=range(FIRST_ROW, FIRST_ROW + len(passed)), since=since)
        for row_no, row_issues in QuarantineRow.objects.filter(batch=batch).values_list("row_no", "issues"):
            issues[row_no] = row_issues
    results: list[dict[str, Any]] = []
    for i, p in enumerate(prepared):
        found = issues.get(row_of[i], []) if i in row_of else []
        strip = [{"code": x["code"], "field": x["field"], "message": x["message"]} for x in found]
        errors = p.errors + [s for s, x in zip(strip, found, strict=True) if x["severity"] == "error"]
        warnings = p.warnings + [s for s, x in zip(strip, found, strict=True) if x["severity"] != "error"]
        status = outcomes.get(row_of[i], "rejected") if i in row_of else "rejected"
        results.append({"index": i, "status": status, "errors": errors, "warnings": warnings})
    summary: dict[str, int] = {"rows_in": len(records), "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    for r in results:
        summary[r["status"]] += 1
    return {"batch": batch.pk if batch else None, "summary": summary, "results": results}

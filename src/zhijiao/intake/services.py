"""Intake writes: create and run import batches, resolve match cases, import records pushed over the API."""

from __future__ import annotations

import csv
import hashlib
import logging
import shutil
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.actor import actor_account_id
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.events import registry_changed, registry_changes_collected
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.models import (
    BatchStatus,
    CaseKind,
    CaseStatus,
    Channel,
    ImportBatch,
    MatchCase,
    MatchDecision,
    Verdict,
)
from zhijiao.intake.pipeline import batch_run, batches_reap
from zhijiao.intake.report import intake_dir, report_path
from zhijiao.intake.spec import SPECS
from zhijiao.org.models import School

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 512 * 1024 * 1024


def _require_importer(actor: Actor | None) -> None:
    if actor is not None and not scope_for(actor).manages_data:
        raise Forbidden(IntakeError.INTAKE_NOT_ALLOWED.message)


def import_batch_create(
    *,
    actor: Actor | None,
    kind: str,
    file_name: str,
    source: Path | IO[bytes],
    school_code: str | None = None,
    channel: str = Channel.WEB,
    origin: Origin | None = None,
) -> ImportBatch:
    """Store the uploaded file under ``$ZHIJIAO_HOME/intake/uploads`` and queue a batch for it.

    ``actor`` None is the platform itself (the CLI run by an operator). A school administrator's imports are
    limited to their school; ``school_code`` limits any import to one school.
    """
    if kind not in SPECS:
        raise ZhijiaoError(IntakeError.INTAKE_KIND_UNKNOWN, detail=f"{kind}（可选：{'、'.join(SPECS)}）")
    _require_importer(actor)
    school = None
    if school_code:
        school = School.objects.filter(code=school_code.strip()).first()
        if school is None:
            raise ZhijiaoError(IntakeError.INTAKE_SCHOOL_UNKNOWN, field="学校", detail=school_code)
        if actor is not None and not School.objects.filter(scope_for(actor).managed_schools_q(), pk=school.pk).exists():
            raise Forbidden(IntakeError.INTAKE_SCHOOL_OUT_OF_SCOPE.message)
    batch = ImportBatch.objects.create(
        kind=kind,
        channel=channel,
        file_name=Path(file_name).name[:255],
        school=school,
        actor_id=actor_account_id(actor),
    )
    suffix = Path(file_name).suffix.lower() or ".csv"
    target = intake_dir("uploads") / f"batch-{batch.pk}{suffix}"
    digest = hashlib.sha256()
    with target.open("wb") as out:
        if isinstance(source, Path):
            with source.open("rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
        else:
            shutil.copyfileobj(source, out, 1 << 20)
    with target.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    if target.stat().st_size > MAX_UPLOAD_BYTES:
        target.unlink()
        batch.delete()
        raise ZhijiaoError(IntakeError.INTAKE_FILE_TOO_LARGE, detail=f"上限 {MAX_UPLOAD_BYTES >> 20} MB")
    batch.file_path, batch.file_sha256 = str(target), digest.hexdigest()
    batch.save(update_fields=["file_path", "file_sha256"])
    if actor is not None:
        audit_record(
            actor=actor,
            action="intake.upload",
            origin=origin or Origin(channel=channel),
            target=Target("import_batch", str(batch.pk), f"{SPECS[kind].label}：{batch.file_name}"),
        )
    return batch


def report_download(*, actor: Actor, batch: ImportBatch, origin: Origin) -> Path:
    """The batch's 问题数据 report, for an actor who may see the batch; the download is audited.

    The report holds personal data (names, and the ID numbers and mobiles an issue names), so each download
    is recorded like any other download of personal data, with where it came from.
    """
    path = report_path(batch)
    if not path.exists():
        raise NotFound()
    audit_record(
        actor=actor,
        action="intake.report_download",
        origin=origin,
        target=Target("import_batch", str(batch.pk), f"问题数据：{SPECS[batch.kind].label}：{batch.file_name}"),
    )
    return path


def import_batch_run(*, batch: ImportBatch, today: date | None = None) -> ImportBatch:
    """Run a queued batch now (the worker's job, or the CLI's in its own process)."""
    batches_reap()
    if batch.status != BatchStatus.PENDING:
        raise ZhijiaoError(IntakeError.INTAKE_BATCH_RUNNING)
    # the write services publish their own changes; the batch's one change (below) stands for them all
    with registry_changes_collected(publish=False):
        batch_run(batch, today=today)
    batch.refresh_from_db()
    if batch.status == BatchStatus.DONE:
        # consumers (warehouse snapshot, quality scores, accounts) hear of it once it has committed
        registry_changed(
            [batch.kind],
            schools=None if batch.school_id is None else [batch.school_id],
            source="intake",
            batch=batch.pk,
        )
    return batch


def import_records(
    *,
    actor: Actor,
    kind: str,
    records: Iterable[Mapping[str, Any]],
    channel: str = Channel.API,
    origin: Origin | None = None,
) -> ImportBatch:
    """Import records given as {header or field key: value} through the same pipeline as files (exchange API)."""
    spec = SPECS.get(kind)
    if spec is None:
        raise ZhijiaoError(IntakeError.INTAKE_KIND_UNKNOWN, detail=kind)
    by_key = {f.key: f.header for f in spec.fields}
    rows = [{by_key.get(k, k): v for k, v in record.items()} for record in records]
    headers = list(dict.fromkeys(k for row in rows for k in row)) or spec.headers
    path = intake_dir("uploads") / f"push-{timezone.now():%Y%m%d%H%M%S%f}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    try:
        batch = import_batch_create(
            actor=actor, kind=kind, file_name=path.name, source=path, channel=channel, origin=origin
        )
    finally:
        path.unlink(missing_ok=True)
    return import_batch_run(batch=batch)


# ------------------------------------------------------------------------------------------- match cases
def case_resolve(*, actor: Actor, case: MatchCase, verdict: str, note: str = "") -> ImportBatch | None:
    """Decide a case, record the decision for later imports, and import the held row under it.

    重复学籍: ``accept_incoming`` moves the student to the importing school; ``keep_existing`` leaves them where
    they are and tells later imports from the importing school so. 疑似同一人: ``same_person`` links the row to the
    registry's person, ``different_person`` registers a new student.
    """
    scope = scope_for(actor)
    if not scope.is_bureau:
        raise Forbidden("只有教育局管理员可以处理比对待办")
    allowed = {
        CaseKind.DUPLICATE_ENROLMENT: {Verdict.ACCEPT_INCOMING, Verdict.KEEP_EXISTING},
        CaseKind.UNCERTAIN_MATCH: {Verdict.SAME_PERSON, Verdict.DIFFERENT_PERSON},
    }[CaseKind(case.kind)]
    if verdict not in allowed:
        raise ZhijiaoError(IntakeError.INTAKE_KIND_UNKNOWN, field="裁定", detail=verdict)
    if case.status != CaseStatus.OPEN:
        raise NotFound("该待办已处理")
    with transaction.atomic():
        if case.kind == CaseKind.DUPLICATE_ENROLMENT:
            assert case.other_school is not None
            winner, loser = (case.school, case.other_school)
            if verdict == Verdict.KEEP_EXISTING:
                winner, loser = loser, winner
            _decide(f"enrol:{case.person_id}:{winner.code}", Verdict.ACCEPT_INCOMING, case, actor)
            _decide(f"enrol:{case.person_id}:{loser.code}", Verdict.KEEP_EXISTING, case, actor)
        else:
            _decide(case.key, verdict, case, actor)
        case.status, case.verdict, case.note = CaseStatus.RESOLVED, verdict, note[:255]
        case.decided_by_id, case.decided_at = actor.pk, timezone.now()
        case.save()
        audit_record(
            actor=actor,
            action="intake.case_resolve",
            origin=Origin(channel="web"),
            target=Target("match_case", str(case.pk), f"{case.get_kind_display()}：{case.data.get('name', '')}"),
        )
    if verdict == Verdict.KEEP_EXISTING:
        return None
    # the held row, imported again under the decision; the reviewer is its actor, so its history says who
    return import_records(actor=actor, kind=case.batch.kind, records=[case.raw], channel=Channel.REVIEW)


def _decide(key: str, verdict: str, case: MatchCase, actor: Actor) -> None:
    MatchDecision.objects.update_or_create(
        key=key, defaults={"verdict": verdict, "person_id": case.person_id, "case": case, "decided_by_id": actor.pk}
    )

"""Bulk exchange: import a resource package — a zip with ``manifest.csv`` (one row per resource) and the files.

Two passes. First every row is read and checked (required fields, code tables by code or Chinese name, the
textbook taxonomy, the author account, the file inside the zip); a bad row is reported with its row number
(the spreadsheet's: the header is row 1), the field and a Chinese reason. If any row is bad nothing is
written, unless ``skip_bad`` (then the good rows are written and the bad ones reported). Second, the good rows
are written in one transaction, each file streamed out of the zip into the checksum store (bounded memory);
blobs a failed run stored are removed again, so a rejected package leaves nothing behind.

Re-importing is idempotent: a row is matched to an earlier import by its 编号 (``Resource.external_id``)
within the author's district (``owner_division``); identical metadata and bytes are "unchanged", changed
metadata is an update and changed bytes a new version. Every row ends as created, updated, unchanged or
rejected, so the counts always sum to the rows read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.resources import package_manifest as manifest
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.models import (
    Resource,
    ResourceFile,
    ResourceStatus,
    ReviewDecision,
    ReviewStage,
    ReviewStep,
)
from zhijiao.resources.package_manifest import ManifestRow, RowError
from zhijiao.resources.services import (
    ResourceData,
    StoreResult,
    UploadedFile,
    _add_version,
    _apply,
    _owner,
    resource_submit,
)
from zhijiao.resources.storage import CHUNK, blob_key, blob_path, remote
from zhijiao.resources.tasks import index_task

MANIFEST_NAME = "manifest.csv"
# Resources published by one import are indexed after it commits, this many per index call (one index commit
# each): a commit per resource made a 454-row package take minutes (docs/benchmarks.md).
INDEX_BATCH = 500
PUBLISH_NOTE = "资源包导入：管理员直接发布"


@dataclass
class PackageResult:
    ok: bool
    counts: dict[str, int] = field(
        default_factory=lambda: {"total": 0, "created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    )
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # {"row", "external_id", "id", "outcome"}
    fatal: bool = False  # the package itself could not be read (exit code 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "counts": self.counts,
            "errors": self.errors,
            "warnings": self.warnings,
            "rows": self.rows,
        }

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else (2 if self.fatal else 1)


class _ZipMembers:
    """The zip's files by normalised path; names of zips made on Chinese Windows (GBK, no UTF-8 flag) decoded."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.by_path: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = info.filename
            if not info.flag_bits & 0x800:
                with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
                    name = name.encode("cp437").decode("gb18030")
            self.by_path[manifest.norm_path(name)] = info

    def find(self, path: str) -> zipfile.ZipInfo | None:
        return self.by_path.get(manifest.norm_path(path))

    def manifest_info(self) -> zipfile.ZipInfo | None:
        for path, info in self.by_path.items():
            lower = path.lower()
            if (lower == MANIFEST_NAME or lower.endswith("/" + MANIFEST_NAME)) and path.count("/") <= 1:
                return info
        return None

    def chunks(self, info: zipfile.ZipInfo):
        with self.zf.open(info) as f:
            while chunk := f.read(CHUNK):
                yield chunk


def _fatal(message: str, field: str = "") -> PackageResult:
    return PackageResult(ok=False, fatal=True, errors=[{"row": None, "field": field, "message": message}])


def package_import(
    *,
    actor: Account | None,
    source: Path | IO[bytes],
    origin: Origin,
    skip_bad: bool = False,
    submit: bool = False,
    publish: bool = False,
) -> PackageResult:
    """Import a package (see the module docstring). ``actor`` is the importing account (None: the operator at
    the command line, then every row needs 作者账号). ``submit`` sends imported drafts to review; ``publish``
    (region and platform administrators only) publishes them, with the review trail and audit of each step."""
    if publish:
        scope = scope_for(actor) if actor is not None else None
        if scope is None or not (scope.is_platform_admin or scope.has(Role.REGION_ADMIN)):
            raise ZhijiaoError(ResourceError.RESOURCE_PACKAGE_PUBLISH_FORBIDDEN, status=403)
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        return _fatal(f"{ResourceError.RESOURCE_PACKAGE_INVALID.message}（{exc}）")
    with zf:
        members = _ZipMembers(zf)
        info = members.manifest_info()
        if info is None:
            return _fatal(ResourceError.RESOURCE_PACKAGE_NO_MANIFEST.message, "manifest.csv")
        if info.file_size > manifest.MAX_MANIFEST_BYTES:
            return _fatal(f"{ResourceError.RESOURCE_PACKAGE_INVALID.message}（清单超过 5 MB）", "manifest.csv")
        try:
            rows = manifest.manifest_read(zf.read(info))
        except manifest.ManifestError as exc:
            return _fatal(str(exc), exc.field)
        return _import_rows(
            actor=actor, rows=rows, members=members, origin=origin, skip_bad=skip_bad, submit=submit, publish=publish
        )


def _import_rows(
    *,
    actor: Account | None,
    rows: list[dict[str, str]],
    members: _ZipMembers,
    origin: Origin,
    skip_bad: bool,
    submit: bool,
    publish: bool,
) -> PackageResult:
    result = PackageResult(ok=True)
    result.counts["total"] = len(rows)
    resolver = manifest.RowResolver(actor=actor)
    checked: list[ManifestRow] = []
    bad_rows: set[int] = set()
    seen_ids: dict[str, int] = {}
    max_bytes = settings.ZHIJIAO_RESOURCE_MAX_MB * 1024 * 1024
    for number, raw in enumerate(rows, start=2):
        row, problems = resolver.resolve(number, raw)
        if raw.get("编号"):
            first = seen_ids.setdefault(raw["编号"], number)
            if first != number:
                problems.append(RowError(number, "编号", f"与第 {first} 行的编号重复"))
        path = raw.get("文件", "")
        info = members.find(path) if path else None
        if not path:
            pass  # reported as 必填
        elif info is None:
            problems.append(RowError(number, "文件", f"资源包中没有文件“{path}”"))
        elif info.file_size == 0:
            problems.append(RowError(number, "文件", f"文件“{path}”为空"))
        elif info.file_size > max_bytes:
            problems.append(RowError(number, "文件", f"文件“{path}”超过上限 {settings.ZHIJIAO_RESOURCE_MAX_MB} MB"))
        elif row is not None:
            row.zip_info = info
        if problems:
            bad_rows.add(number)
            result.errors.extend(p.as_dict() for p in problems)
        elif row is not None:
            checked.append(row)
        result.warnings.extend(w.as_dict() for w in resolver.take_warnings())
    if bad_rows and not skip_bad:
        return _rejected(result, actor, origin, len(rows))
    created_blobs: list[str] = []
    published: list[int] = []
    try:
        with transaction.atomic():
            for row in checked:
                try:
                    with transaction.atomic():
                        outcome, resource = _write_row(actor, row, members, origin, created_blobs, submit, publish)
                except ZhijiaoError as exc:
                    if not skip_bad:
                        raise _RowFailed(row.number, exc) from exc
                    bad_rows.add(row.number)
                    result.errors.append(RowError(row.number, exc.field or "", exc.message).as_dict())
                    continue
                if publish and outcome != "unchanged":
                    published.append(resource.pk)
                result.counts[outcome] += 1
                result.rows.append(
                    {"row": row.number, "external_id": row.external_id, "id": resource.pk, "outcome": outcome}
                )
            result.counts["rejected"] = len(bad_rows)
            result.rows.extend({"row": n, "outcome": "rejected"} for n in sorted(bad_rows))
            result.rows.sort(key=lambda r: r["row"])
            result.ok = not bad_rows
            audit_record(
                actor=actor,
                action="resource.import_package",
                origin=origin,
                target=Target("resource_package", "", _summary(result.counts)),
            )
            _schedule_index(published)
    except _RowFailed as failed:
        _drop_blobs(created_blobs)
        result.errors.append(RowError(failed.number, failed.error.field or "", failed.error.message).as_dict())
        result.rows = []
        return _rejected(result, actor, origin, len(rows))
    except BaseException:
        _drop_blobs(created_blobs)
        raise
    return result


def _rejected(result: PackageResult, actor: Account | None, origin: Origin, total: int) -> PackageResult:
    """All or nothing: one bad row rejects the package, so every row counts as rejected and nothing is written."""
    result.ok = False
    result.counts.update(created=0, updated=0, unchanged=0, rejected=total)
    result.rows = [{"row": n, "outcome": "rejected"} for n in range(2, total + 2)]
    audit_record(
        actor=actor,
        action="resource.import_package",
        origin=origin,
        target=Target("resource_package", "", f"整包拒收：{len(result.errors)} 处问题，共 {total} 行"),
    )
    return result


class _RowFailed(Exception):
    def __init__(self, number: int, error: ZhijiaoError) -> None:
        super().__init__(error.message)
        self.number = number
        self.error = error


def _summary(counts: dict[str, int]) -> str:
    return (
        f"共 {counts['total']} 行：新增 {counts['created']}，更新 {counts['updated']}，"
        f"未变 {counts['unchanged']}，拒收 {counts['rejected']}"
    )


def _drop_blobs(shas: list[str]) -> None:
    """After a rollback: remove the bytes this run stored that no file row (another upload's) now refers to."""
    kept = set(ResourceFile.objects.filter(sha256__in=shas).values_list("sha256", flat=True))
    storage = remote()
    for sha in shas:
        if sha in kept:
            continue
        if storage is not None:
            storage.delete(blob_key(sha))
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(blob_path(sha))


def _track(created_blobs: list[str], stored: StoreResult) -> None:
    """Remember bytes this run put in the store (not there before), to remove them if the run rolls back."""
    if not stored.duplicate:
        created_blobs.append(stored.version.file.sha256)


def _write_row(
    actor: Account | None,
    row: ManifestRow,
    members: _ZipMembers,
    origin: Origin,
    created_blobs: list[str],
    submit: bool,
    publish: bool,
) -> tuple[str, Resource]:
    author = row.author
    school, division = _owner(author)
    assert row.zip_info is not None
    upload = UploadedFile(name=Path(row.file_path).name, chunks=members.chunks(row.zip_info))
    existing = (
        Resource.objects.select_for_update(of=("self",))  # PostgreSQL locks no outer-joined (nullable) rows
        .filter(owner_division=division, external_id=row.external_id)
        .select_related("current_version__file")
        .first()
    )
    if existing is None:
        resource = Resource(author=author, owner_school=school, owner_division=division, external_id=row.external_id)
        _apply(resource, row.data)
        resource.save()
        resource.knowledge_points.set(row.data.knowledge_points)
        _track(created_blobs, _add_version(actor=author, resource=resource, upload=upload))
        audit_record(actor=actor, action="resource.create", origin=origin, target=_target(resource))
        _after_write(actor, resource, origin, submit, publish)
        return "created", resource
    same_meta = _metadata(existing) == _metadata_of(row.data, existing)
    sha = _zip_sha256(members, row.zip_info)
    same_file = existing.current_version is not None and existing.current_version.file.sha256 == sha
    if same_meta and same_file:
        return "unchanged", existing
    if existing.status not in (ResourceStatus.DRAFT, ResourceStatus.RETURNED):
        raise ZhijiaoError(
            ResourceError.RESOURCE_NOT_EDITABLE,
            field="编号",
            detail=f"编号 {row.external_id} 的资源状态为“{existing.get_status_display()}”，请在平台上修改",
        )
    _apply(existing, row.data)
    existing.save()
    existing.knowledge_points.set(row.data.knowledge_points)
    if not same_file:
        _track(created_blobs, _add_version(actor=author, resource=existing, upload=upload, note="资源包重新导入"))
    audit_record(actor=actor, action="resource.update", origin=origin, target=_target(existing))
    _after_write(actor, existing, origin, submit, publish)
    return "updated", existing


def _zip_sha256(members: _ZipMembers, info: zipfile.ZipInfo) -> str:
    digest = hashlib.sha256()
    for chunk in members.chunks(info):
        digest.update(chunk)
    return digest.hexdigest()


def _metadata(r: Resource) -> tuple:
    return (
        r.title,
        r.description,
        r.keywords,
        r.type,
        r.stage,
        r.subject,
        r.grade,
        r.licence,
        r.sharing,
        r.chapter_id,
        tuple(sorted(r.knowledge_points.values_list("pk", flat=True))),
    )


def _metadata_of(data: ResourceData, existing: Resource) -> tuple:
    probe = Resource(author_id=existing.author_id, owner_division_id=existing.owner_division_id)
    _apply(probe, data)
    return (
        probe.title,
        probe.description,
        probe.keywords,
        probe.type,
        probe.stage,
        probe.subject,
        probe.grade,
        probe.licence,
        probe.sharing,
        probe.chapter.pk if probe.chapter else None,
        tuple(sorted(p.pk for p in data.knowledge_points)),
    )


def _after_write(actor: Account | None, resource: Resource, origin: Origin, submit: bool, publish: bool) -> None:
    if publish:
        _publish(actor, resource, origin)
    elif submit and resource.status in (ResourceStatus.DRAFT, ResourceStatus.RETURNED):
        resource_submit(actor=resource.author, resource=resource, origin=origin)


def _publish(actor: Account | None, resource: Resource, origin: Origin) -> None:
    """An administrator's import publishes at once, but along the review path: the submit, 一审 (school-owned
    resources) and 二审 steps are recorded as review steps and audited, each under the importing account."""
    scope = scope_for(actor) if actor is not None else None
    if scope is None or not scope.governs(resource.owner_division_id):
        raise ZhijiaoError(ResourceError.RESOURCE_PACKAGE_PUBLISH_FORBIDDEN, field="作者账号", status=403)
    if resource.status == ResourceStatus.PUBLISHED:
        return
    assert actor is not None
    steps = [(ReviewStage.SUBMIT, ReviewDecision.SUBMITTED, "resource.submit")]
    if resource.owner_school_id:
        steps.append((ReviewStage.FIRST, ReviewDecision.APPROVED, "resource.approve_first"))
    steps.append((ReviewStage.SECOND, ReviewDecision.APPROVED, "resource.publish"))
    for stage, decision, action in steps:
        ReviewStep.objects.create(
            resource=resource,
            stage=stage,
            decision=decision,
            comment="" if stage == ReviewStage.SUBMIT else PUBLISH_NOTE,
            reviewer=actor,
        )
        audit_record(actor=actor, action=action, origin=origin, target=_target(resource))
    resource.status = ResourceStatus.PUBLISHED
    resource.published_at = timezone.now()
    resource.save(update_fields=["status", "published_at", "updated_at"])  # indexed with the others at the end


def _schedule_index(ids: list[int]) -> None:
    """Once the import commits, index what it published in batches (one index call and commit per batch)."""
    for start in range(0, len(ids), INDEX_BATCH):
        transaction.on_commit(partial(index_task, ids[start : start + INDEX_BATCH]))


def _target(resource: Resource) -> Target:
    return Target("resource", str(resource.pk), resource.title[:100])

"""Writes of the resource centre: create a resource with its file, new versions, submit, review, publish.

Review runs draft → submitted (待一审) → first_approved (待二审) → published, or back to returned with a comment
at either step. 一审 is taken by an administrator of the owning school, 二审 by a region administrator at or
above the owner's district; a bureau's own resource (no school) skips 一审. Every step is audited and kept
as a :class:`ReviewStep`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookVolume
from zhijiao.identity.models import Account
from zhijiao.org.models import Division, School
from zhijiao.resources import selectors
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.models import (
    PreviewState,
    Resource,
    ResourceFile,
    ResourceLevel,
    ResourceStatus,
    ResourceVersion,
    ReviewDecision,
    ReviewStage,
    ReviewStep,
    SharingScope,
    UploadSession,
    UsageKind,
)
from zhijiao.resources.storage import CHUNK, blob_store, guess_mime
from zhijiao.resources.tasks import index_task, preview_task
from zhijiao.resources.usage import usage_record
from zhijiao.resources.value import value_initial


@dataclass
class ResourceData:
    """The metadata a teacher fills in (codes per the project's code tables)."""

    title: str
    type: str
    stage: str
    subject: str
    grade: str = ""
    description: str = ""
    keywords: str = ""
    licence: str = "region"
    sharing: str = SharingScope.SCHOOL
    chapter: Chapter | None = None
    volume: TextbookVolume | None = None  # a book without a chapter; a chapter implies its own book
    knowledge_points: Sequence[KnowledgePoint] = field(default_factory=list)


@dataclass(frozen=True)
class UploadedFile:
    """A file to store: its name, declared type and a stream of chunks."""

    name: str
    chunks: Iterable[bytes]
    content_type: str = ""

    @classmethod
    def from_django(cls, upload) -> UploadedFile:
        return cls(name=upload.name, chunks=upload.chunks(CHUNK), content_type=upload.content_type or "")

    @classmethod
    def from_bytes(cls, name: str, data: bytes, content_type: str = "") -> UploadedFile:
        return cls(name=name, chunks=[data], content_type=content_type)


@dataclass(frozen=True)
class StoredUpload:
    """A file already in the store: a finished resumable upload (``resources.uploads``), nothing left to stream."""

    name: str
    file: ResourceFile

    @classmethod
    def from_session(cls, session: UploadSession) -> StoredUpload:
        """A completed session (``uploads.upload_finished_get`` checked owner and completion)."""
        if session.completed_at is None or session.file is None:
            raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_UNFINISHED, field="文件", status=409)
        return cls(name=session.name, file=session.file)


@dataclass(frozen=True)
class StoreResult:
    resource: Resource
    version: ResourceVersion
    duplicate: bool  # the bytes were already stored (by this or another resource)
    duplicates: list[Resource]  # other resources the actor may see with the same bytes


def _owner(actor: Account) -> tuple[School | None, Division]:
    """The uploader's school (a school or class grant) or, for a bureau, its division (403 when none)."""
    owner = selectors.resource_upload_owner(actor)
    if owner is None:
        raise ZhijiaoError(ResourceError.RESOURCE_NO_OWNER, status=403)
    return owner


def _store_file(upload: UploadedFile | StoredUpload) -> tuple[ResourceFile, bool]:
    if isinstance(upload, StoredUpload):
        # hashed and stored when its last chunk arrived; "duplicate" = some version already has these bytes
        return upload.file, ResourceVersion.objects.filter(file=upload.file).exists()
    max_bytes = settings.ZHIJIAO_RESOURCE_MAX_MB * 1024 * 1024
    try:
        stored = blob_store(upload.chunks, max_bytes=max_bytes)
    except OverflowError as exc:
        raise ZhijiaoError(
            ResourceError.RESOURCE_FILE_TOO_LARGE, detail=f"上限 {settings.ZHIJIAO_RESOURCE_MAX_MB} MB", status=413
        ) from exc
    if stored.size == 0:
        raise ZhijiaoError(ResourceError.RESOURCE_FILE_EMPTY)
    file, created = ResourceFile.objects.get_or_create(
        sha256=stored.sha256, defaults={"size": stored.size, "mime": guess_mime(upload.name, upload.content_type)}
    )
    return file, not (created and stored.created)


def _apply(resource: Resource, data: ResourceData) -> None:
    chapter = data.chapter
    if chapter is not None and data.volume is not None and chapter.volume_id != data.volume.pk:
        raise ZhijiaoError(ResourceError.RESOURCE_CHAPTER_MISMATCH, field="章节")
    volume = chapter.volume if chapter is not None else data.volume
    resource.title = data.title.strip()
    resource.type = data.type
    resource.stage = data.stage
    resource.subject = data.subject
    resource.grade = data.grade
    resource.description = data.description.strip()
    resource.keywords = data.keywords.strip()
    resource.licence = data.licence
    resource.sharing = data.sharing
    resource.chapter = chapter
    resource.volume = volume
    resource.edition = volume.edition if volume is not None else None
    if volume is not None and not data.grade:
        resource.grade = volume.grade


def _add_version(
    *, actor: Account, resource: Resource, upload: UploadedFile | StoredUpload, note: str = ""
) -> StoreResult:
    file, duplicate = _store_file(upload)
    if not duplicate and file.preview_state == PreviewState.PENDING:
        _schedule_preview(file.pk)
    number = (resource.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ResourceVersion.objects.create(
        resource=resource, number=number, file=file, original_name=upload.name[:255], note=note, created_by=actor
    )
    Resource.objects.filter(pk=resource.pk).update(current_version=version)
    resource.current_version = version
    duplicates = selectors.resource_duplicates(actor=actor, resource=resource) if duplicate else []
    return StoreResult(resource=resource, version=version, duplicate=duplicate, duplicates=duplicates)


@transaction.atomic
def resource_create(
    *, actor: Account, data: ResourceData, upload: UploadedFile | StoredUpload, origin: Origin
) -> StoreResult:
    """A new draft owned by the actor's school (or bureau) with its first file (streamed, or a finished resumable
    upload). Same bytes are stored once; the result reports whether they were already stored and which visible
    resources share them."""
    school, division = _owner(actor)
    resource = Resource(author=actor, owner_school=school, owner_division=division)
    _apply(resource, data)
    resource.save()
    resource.knowledge_points.set(data.knowledge_points)
    result = _add_version(actor=actor, resource=resource, upload=upload)
    audit_record(actor=actor, action="resource.create", origin=origin, target=_target(resource))
    return result


def _editable(
    actor: Account, resource: Resource, locked_code: ResourceError = ResourceError.RESOURCE_NOT_EDITABLE
) -> Resource:
    """The resource, locked, when the actor is its author and it is a draft or returned (``locked_code`` if not)."""
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    if locked.author_id != actor.pk:
        raise ZhijiaoError(ResourceError.RESOURCE_NOT_AUTHOR, status=403)
    if locked.status not in (ResourceStatus.DRAFT, ResourceStatus.RETURNED):
        raise ZhijiaoError(locked_code, status=409)
    return locked


@transaction.atomic
def resource_update(
    *,
    actor: Account,
    resource: Resource,
    data: ResourceData,
    upload: UploadedFile | StoredUpload | None = None,
    note: str = "",
    origin: Origin,
) -> StoreResult | None:
    """The author changes a draft or returned resource; a new file becomes a new version (``note``: what
    changed in it). Returns the new version's result, or None when the file stayed."""
    locked = _editable(actor, resource)
    _apply(locked, data)
    locked.save()
    locked.knowledge_points.set(data.knowledge_points)
    result = _add_version(actor=actor, resource=locked, upload=upload, note=note[:200]) if upload else None
    audit_record(actor=actor, action="resource.update", origin=origin, target=_target(locked))
    return result


@transaction.atomic
def resource_delete(*, actor: Account, resource: Resource, origin: Origin) -> None:
    """The author deletes a draft or a returned resource (neither was ever published, so nothing links to it);
    one under review or published stays. Audited with its title. Stored files stay: other versions or
    resources may share the bytes."""
    locked = _editable(actor, resource, ResourceError.RESOURCE_NOT_DELETABLE)
    audit_record(actor=actor, action="resource.delete", origin=origin, target=_target(locked))
    Resource.objects.filter(pk=locked.pk).update(current_version=None)  # the version rows go with it
    locked.delete()


@transaction.atomic
def resource_submit(*, actor: Account, resource: Resource, origin: Origin) -> Resource:
    """The author sends a draft (or a returned resource) to review; a bureau's own resource goes to 二审."""
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    if locked.author_id != actor.pk:
        raise ZhijiaoError(ResourceError.RESOURCE_NOT_AUTHOR, status=403)
    if locked.status not in (ResourceStatus.DRAFT, ResourceStatus.RETURNED):
        raise ZhijiaoError(ResourceError.RESOURCE_NOT_SUBMITTABLE, status=409)
    locked.status = ResourceStatus.SUBMITTED if locked.owner_school_id else ResourceStatus.FIRST_APPROVED
    locked.save(update_fields=["status", "updated_at"])
    ReviewStep.objects.create(
        resource=locked, stage=ReviewStage.SUBMIT, decision=ReviewDecision.SUBMITTED, reviewer=actor
    )
    audit_record(actor=actor, action="resource.submit", origin=origin, target=_target(locked))
    return locked


@transaction.atomic
def resource_review(
    *, actor: Account, resource: Resource, approve: bool, comment: str = "", level: str = "", origin: Origin
) -> Resource:
    """Take the step the resource waits for: 一审 (→ 待二审) or 二审 (→ published), or return it with a comment.
    The 二审 reviewer who publishes also sets the 等级 ``level`` (``ResourceLevel``; "" 未评定), which feeds
    the value score (``value``)."""
    if level not in ResourceLevel.values:
        raise ZhijiaoError(ResourceError.RESOURCE_LEVEL_INVALID, field="等级")
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    if locked.author_id == actor.pk:
        raise ZhijiaoError(ResourceError.RESOURCE_OWN_REVIEW, status=403)
    if not selectors.resource_may_review(actor=actor, resource=locked):
        raise ZhijiaoError(ResourceError.RESOURCE_NOT_REVIEWABLE, status=403)
    comment = comment.strip()
    if not approve and not comment:
        raise ZhijiaoError(ResourceError.RESOURCE_COMMENT_REQUIRED, field="审核意见")
    stage = ReviewStage.FIRST if locked.status == ResourceStatus.SUBMITTED else ReviewStage.SECOND
    if not approve:
        locked.status = ResourceStatus.RETURNED
        action = "resource.return"
    elif stage == ReviewStage.FIRST:
        locked.status = ResourceStatus.FIRST_APPROVED
        action = "resource.approve_first"
    else:
        locked.status = ResourceStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.level = level
        locked.value_score = value_initial(level=level, type=locked.type)  # the value job refines it
        action = "resource.publish"
    locked.save(update_fields=["status", "published_at", "level", "value_score", "updated_at"])
    ReviewStep.objects.create(
        resource=locked,
        stage=stage,
        decision=ReviewDecision.APPROVED if approve else ReviewDecision.RETURNED,
        comment=comment,
        reviewer=actor,
    )
    audit_record(actor=actor, action=action, origin=origin, target=_target(locked))
    if locked.status == ResourceStatus.PUBLISHED:
        _schedule_index([locked.pk])
    return locked


def _schedule_index(ids: list[int]) -> None:
    """Once this transaction commits, have the worker (re)index these resources (search, ``indexing``)."""
    transaction.on_commit(lambda: index_task(ids))


def _schedule_preview(file_id: int) -> None:
    """Once the new file's row is committed, have the worker make its previews (``previews.preview_build``)."""
    transaction.on_commit(lambda: preview_task(file_id))


def resource_download_record(*, actor: Actor | None, resource: Resource, origin: Origin, inline: bool = False) -> None:
    """One download (callers skip Range continuations: one download, many requests). Downloads of unpublished
    work (reviewers, authors) are audited; published ones are usage, not audit, unless shown ``inline`` on the
    page (its own preview or player)."""
    if resource.status != ResourceStatus.PUBLISHED:
        audit_record(actor=actor, action="resource.download", origin=origin, target=_target(resource))
    elif not inline:
        usage_record(actor=actor, resource=resource, kind=UsageKind.DOWNLOAD)


def _target(resource: Resource) -> Target:
    return Target("resource", str(resource.pk), resource.title[:100])

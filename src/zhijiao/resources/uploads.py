"""Resumable chunked uploads for large files (videos of several GB), a small tus-like protocol (decision 0013).

Under ``/api/v1/resources/uploads`` (``api_uploads``), signed in through the browser session; every write sends
the CSRF token in the ``X-CSRFToken`` header:

``POST ""`` ``{name, size, content_type, fingerprint}``
    Opens a session and answers ``{id, received, chunk_size, …}`` (201). When the same account already has an
    unfinished session with that ``fingerprint`` (the browser uses ``name|size|lastModified``) and size, that
    session is answered instead (200) with the bytes the server holds: the client resumes from ``received``.
``PATCH`` (or ``PUT``) ``/{id}`` with header ``Upload-Offset: N`` and a raw body of at most ``chunk_size`` bytes
    Appends the body at ``N``. ``N`` must equal ``received``; otherwise 409 with the server's ``received`` (also
    in the ``Upload-Offset`` response header) and nothing is written. When ``received`` reaches ``size`` the
    file is hashed into the checksum store and the session is complete (``done``, ``file_sha256``).
``GET /{id}``
    ``{received, size, done, …}``: where to resume after a reload or a network failure.
``DELETE /{id}``
    Cancels: the partial file and the session are removed.

Only the owner sees a session (anyone else: 404). Bytes go to ``media/resources/uploads/<id>.part``, read from
the request in 1 MiB blocks (never the whole chunk in memory) and appended without fsync: a crash loses at most
the unflushed tail, and ``received`` is written only after the bytes. A per-file ``flock`` serialises two
requests racing for the same session. A finished session is turned into a resource by
``services.resource_create(upload=StoredUpload.from_session(...))``; sessions untouched for
:data:`STALE_AFTER` are removed by the daily ``upload_cleanup_task``.
"""

from __future__ import annotations

import fcntl
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.resources import selectors
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.models import ResourceFile, UploadSession
from zhijiao.resources.storage import CHUNK, blob_adopt, guess_mime, media_root

logger = logging.getLogger("zhijiao.resources")

CHUNK_SIZE = 8 * 1024 * 1024  # the most one PATCH may carry
STALE_AFTER = timedelta(days=7)


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class UploadOffsetMismatch(ZhijiaoError):
    """The client's ``Upload-Offset`` is not where the server stands; ``received`` is where to go on from."""

    def __init__(self, received: int) -> None:
        super().__init__(ResourceError.RESOURCE_UPLOAD_OFFSET, detail=f"服务器已接收 {received} 字节", status=409)
        self.received = received


@dataclass(frozen=True)
class UploadState:
    session: UploadSession
    resumed: bool  # an unfinished session of the same file was found and is answered again


def upload_max_bytes() -> int:
    return settings.ZHIJIAO_RESOURCE_UPLOAD_MAX_MB * 1024 * 1024


def upload_dir() -> Path:
    return media_root() / "resources" / "uploads"


def part_path(session: UploadSession) -> Path:
    return upload_dir() / f"{session.pk}.part"


# -- selectors -------------------------------------------------------------------------------------------------


def upload_get_for(*, actor: Account, upload_id: uuid.UUID | str) -> UploadSession:
    """The actor's own session; anyone else's, or none, is 404 alike."""
    try:
        key = uuid.UUID(str(upload_id))
    except ValueError as exc:
        raise NotFound() from exc
    session = UploadSession.objects.select_related("file").filter(pk=key, account=actor).first()
    if session is None:
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_NOT_FOUND, status=404)
    return session


def upload_finished_get(*, actor: Account, upload_id: uuid.UUID | str) -> UploadSession:
    """The actor's completed session, ready to become a resource's file (``StoredUpload.from_session``)."""
    session = upload_get_for(actor=actor, upload_id=upload_id)
    if session.completed_at is None or session.file is None:
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_UNFINISHED, field="文件", status=409)
    return session


# -- services --------------------------------------------------------------------------------------------------


def upload_start(*, actor: Account, name: str, size: int, content_type: str = "", fingerprint: str = "") -> UploadState:
    """Open a session for a file of ``size`` bytes, or answer the actor's unfinished one for the same file. Only for
    accounts that may upload (403 otherwise: no storage for files that can never become a resource)."""
    if not selectors.resource_may_upload(actor):
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_NOT_ALLOWED, status=403)
    name = os.path.basename(name.replace("\\", "/")).strip()[:255]
    if not name:
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_BAD_REQUEST, field="文件名", detail="不能为空")
    if size <= 0:
        raise ZhijiaoError(ResourceError.RESOURCE_FILE_EMPTY, field=name)
    if size > upload_max_bytes():
        raise ZhijiaoError(
            ResourceError.RESOURCE_UPLOAD_TOO_LARGE,
            field=name,
            detail=f"上限 {settings.ZHIJIAO_RESOURCE_UPLOAD_MAX_MB} MB",
            status=413,
        )
    fingerprint = fingerprint.strip()[:200]
    if fingerprint:
        existing = (
            UploadSession.objects.filter(account=actor, fingerprint=fingerprint, size=size, completed_at__isnull=True)
            .order_by("-updated_at")
            .first()
        )
        if existing is not None:
            # the .part file is the truth: a crash after writing but before saving ``received`` leaves extra
            # bytes (cut off by the next append), one before the bytes reached the disk leaves fewer
            on_disk = part_path(existing).stat().st_size if part_path(existing).exists() else 0
            if on_disk < existing.received:
                UploadSession.objects.filter(pk=existing.pk).update(received=on_disk)
                existing.received = on_disk
            return UploadState(existing, resumed=True)
    session = UploadSession.objects.create(
        account=actor, name=name, size=size, content_type=content_type.strip()[:128], fingerprint=fingerprint
    )
    return UploadState(session, resumed=False)


def upload_append(
    *, actor: Account, upload_id: uuid.UUID | str, offset: int, length: int, stream: Readable
) -> UploadSession:
    """Append ``length`` bytes read from ``stream`` at ``offset`` (which must be where the session stands);
    completes the session when the last byte arrives. Raises :class:`UploadOffsetMismatch` (409), 413 past the
    chunk size or the declared size."""
    session = upload_get_for(actor=actor, upload_id=upload_id)
    if session.completed_at is not None:
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_COMPLETE, status=409)
    if length < 0 or offset < 0:
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_BAD_REQUEST, field="Upload-Offset")
    if length > CHUNK_SIZE:
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_CHUNK_TOO_LARGE, detail=f"上限 {CHUNK_SIZE} 字节", status=413)
    if offset != session.received:
        raise UploadOffsetMismatch(session.received)
    if offset + length > session.size:
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_PAST_END, detail=f"文件大小 {session.size} 字节", status=413)
    path = part_path(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a second request for this session waits here, then sees the new offset
        session.refresh_from_db(fields=["received", "completed_at"])
        if session.completed_at is not None:
            raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_COMPLETE, status=409)
        if offset != session.received:
            raise UploadOffsetMismatch(session.received)
        os.ftruncate(fd, offset)  # bytes past ``received`` are from a request that never recorded them
        os.lseek(fd, offset, os.SEEK_SET)
        written = 0
        while written < length:
            block = stream.read(min(CHUNK, length - written))
            if not block:
                break  # the client went away: keep what arrived, it resumes from there
            os.write(fd, block)
            written += len(block)
        session.received = offset + written
        UploadSession.objects.filter(pk=session.pk).update(received=session.received, updated_at=timezone.now())
        if session.received == session.size:
            _complete(session, path)
    finally:
        os.close(fd)
    return session


def _complete(session: UploadSession, path: Path) -> None:
    stored = blob_adopt(path)
    if stored.size != session.size:  # cannot happen while appends go through the lock; never store a torso
        raise ZhijiaoError(ResourceError.RESOURCE_UPLOAD_BAD_REQUEST, detail="文件大小不符")
    with transaction.atomic():
        file, _ = ResourceFile.objects.get_or_create(
            sha256=stored.sha256, defaults={"size": stored.size, "mime": guess_mime(session.name, session.content_type)}
        )
        session.file = file
        session.completed_at = timezone.now()
        session.save(update_fields=["file", "completed_at", "updated_at"])
    logger.info("upload %s complete: %s bytes, sha256 %s", session.pk, stored.size, stored.sha256)


def upload_cancel(*, actor: Account, upload_id: uuid.UUID | str) -> None:
    """The owner gives up: the partial file and the session go (a finished file stays in the store)."""
    session = upload_get_for(actor=actor, upload_id=upload_id)
    part_path(session).unlink(missing_ok=True)
    session.delete()


def upload_cleanup(*, now: datetime | None = None, older_than: timedelta = STALE_AFTER) -> int:
    """Remove sessions nobody touched for ``older_than`` (finished or not) and their partial files."""
    cutoff = (now or timezone.now()) - older_than
    stale = list(UploadSession.objects.filter(updated_at__lt=cutoff))
    for session in stale:
        part_path(session).unlink(missing_ok=True)
    UploadSession.objects.filter(pk__in=[s.pk for s in stale]).delete()
    return len(stale)

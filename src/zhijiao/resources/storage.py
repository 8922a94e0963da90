"""Checksum-addressed local storage: bytes land under ``$ZHIJIAO_MEDIA_DIR/resources/<sha[:2]>/<sha>`` once.

An upload streams into a temporary file in the same folder tree while it is hashed (bounded memory), then is
renamed into place; if those bytes are already stored the temporary file is dropped.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredBytes:
    sha256: str
    size: int
    path: Path
    created: bool  # False: the same bytes were already stored


def media_root() -> Path:
    return Path(settings.ZHIJIAO_MEDIA_DIR)


def blob_path(sha256: str) -> Path:
    return media_root() / "resources" / sha256[:2] / sha256


def blob_store(chunks: Iterable[bytes], *, max_bytes: int | None = None) -> StoredBytes:
    """Hash and store a stream of bytes; raises ``OverflowError`` past ``max_bytes`` (nothing is kept)."""
    tmp_dir = media_root() / "resources" / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise OverflowError(size)
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = blob_path(sha)
        if target.exists():
            os.unlink(tmp_name)
            return StoredBytes(sha, size, target, created=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_name, target)
        return StoredBytes(sha, size, target, created=True)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def blob_adopt(path: Path) -> StoredBytes:
    """Move a complete local file (a finished resumable upload) into the store: hashed by streaming it once,
    then renamed into place (or dropped when the same bytes are already stored). ``path`` is gone afterwards."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            size += len(chunk)
            digest.update(chunk)
    sha = digest.hexdigest()
    target = blob_path(sha)
    if target.exists():
        os.unlink(path)
        return StoredBytes(sha, size, target, created=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, target)
    return StoredBytes(sha, size, target, created=True)


def guess_mime(name: str, declared: str = "") -> str:
    guessed, _ = mimetypes.guess_type(name)
    return guessed or declared or "application/octet-stream"

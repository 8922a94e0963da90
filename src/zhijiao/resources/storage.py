"""Checksum-addressed storage: bytes land once under ``resources/<sha[:2]>/<sha>``, their previews under
``previews/<sha[:2]>/<sha>/<name>``.

Local storage (the default) keeps both below ``$ZHIJIAO_MEDIA_DIR`` and is the fast path: an upload streams into a
temporary file in the same folder tree while it is hashed (bounded memory), then is renamed into place with
``os.replace``; if those bytes are already stored the temporary file is dropped. With ``ZHIJIAO_STORAGE=s3`` the
same keys live in an S3-compatible bucket through Django's ``STORAGES["resources"]`` (django-storages): the upload
is still hashed into a local temporary file, then put once (``exists`` first, so identical bytes are sent once).
Reads go through :func:`blob_size` / :func:`blob_read` (ranged) and :func:`blob_local` (a local path for tools).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages

CHUNK = 1024 * 1024
READ_BLOCK = 256 * 1024


@dataclass(frozen=True)
class StoredBytes:
    sha256: str
    size: int
    path: Path  # the local file, or (remote storage) the object key
    created: bool  # False: the same bytes were already stored


def media_root() -> Path:
    return Path(settings.ZHIJIAO_MEDIA_DIR)


def remote() -> Any | None:
    """The configured remote storage (``STORAGES["resources"]``), or None for local files."""
    if getattr(settings, "ZHIJIAO_STORAGE", "local") == "local":
        return None
    return storages["resources"]


def blob_key(sha256: str) -> str:
    return f"resources/{sha256[:2]}/{sha256}"


def preview_key(sha256: str, name: str) -> str:
    return f"previews/{sha256[:2]}/{sha256}/{name}"


def blob_path(sha256: str) -> Path:
    """Where a blob lives on local storage (meaningless when ``remote()`` is set: use blob_read / blob_local)."""
    return media_root() / blob_key(sha256)


def _tmp_dir() -> Path:
    tmp_dir = media_root() / "resources" / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    return tmp_dir


def _place(tmp_name: str | Path, sha: str, size: int) -> StoredBytes:
    """Move a hashed temporary file to its key, or drop it when the bytes are already stored."""
    storage = remote()
    if storage is not None:
        key = blob_key(sha)
        try:
            if storage.exists(key):
                return StoredBytes(sha, size, Path(key), created=False)
            with open(tmp_name, "rb") as f:
                storage.save(key, File(f, name=key))
            return StoredBytes(sha, size, Path(key), created=True)
        finally:
            os.unlink(tmp_name)
    target = blob_path(sha)
    if target.exists():
        os.unlink(tmp_name)
        return StoredBytes(sha, size, target, created=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp_name, target)
    return StoredBytes(sha, size, target, created=True)


def blob_store(chunks: Iterable[bytes], *, max_bytes: int | None = None) -> StoredBytes:
    """Hash and store a stream of bytes; raises ``OverflowError`` past ``max_bytes`` (nothing is kept)."""
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=_tmp_dir(), prefix="upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise OverflowError(size)
                digest.update(chunk)
                out.write(chunk)
        return _place(tmp_name, digest.hexdigest(), size)
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
    return _place(path, digest.hexdigest(), size)


def blob_size(sha256: str) -> int | None:
    """The stored size, or None when the blob is missing."""
    storage = remote()
    if storage is None:
        try:
            return blob_path(sha256).stat().st_size
        except FileNotFoundError:
            return None
    try:
        return int(storage.size(blob_key(sha256)))
    except FileNotFoundError:
        return None


def file_read(path: Path, first: int, length: int) -> Iterator[bytes]:
    """``length`` bytes of a local file from offset ``first``, in blocks (fewer if the file is shorter)."""
    with path.open("rb") as f:
        f.seek(first)
        left = length
        while left > 0:
            block = f.read(min(READ_BLOCK, left))
            if not block:
                break
            left -= len(block)
            yield block


def blob_read(sha256: str, first: int, length: int) -> Iterator[bytes]:
    """``length`` bytes from offset ``first``, in blocks. Remote storage is asked for just that range (an S3
    ``GetObject`` with ``Range``), so seeking in a long video never pulls the whole object through the app."""
    if length <= 0:
        return
    storage = remote()
    if storage is None:
        yield from file_read(blob_path(sha256), first, length)
        return
    client = storage.connection.meta.client
    key = storage._normalize_name(blob_key(sha256))  # adds the storage's ``location`` prefix, if any
    got = client.get_object(Bucket=storage.bucket_name, Key=key, Range=f"bytes={first}-{first + length - 1}")
    body = got["Body"]
    try:
        yield from body.iter_chunks(READ_BLOCK)
    finally:
        body.close()


@contextmanager
def blob_local(sha256: str) -> Iterator[Path]:
    """A local path to the blob for external tools (ffmpeg, pdftoppm): the file itself on local storage, a
    temporary copy (removed afterwards) from remote storage."""
    storage = remote()
    if storage is None:
        yield blob_path(sha256)
        return
    fd, tmp_name = tempfile.mkstemp(dir=_tmp_dir(), prefix="preview-")
    try:
        with os.fdopen(fd, "wb") as out, storage.open(blob_key(sha256), "rb") as src:
            shutil.copyfileobj(src, out, CHUNK)
        yield Path(tmp_name)
    finally:
        os.unlink(tmp_name)


def preview_put(sha256: str, name: str, data: bytes) -> None:
    """Store (or replace) one preview file of a blob."""
    key = preview_key(sha256, name)
    storage = remote()
    if storage is not None:  # the storage is set to overwrite: a re-run replaces the old preview
        with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as buf:
            buf.write(data)
            buf.seek(0)
            storage.save(key, File(buf, name=key))
        return
    target = media_root() / key
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp_name, target)


def preview_get(sha256: str, name: str) -> bytes | None:
    """One preview file's bytes, or None when it was never made."""
    key = preview_key(sha256, name)
    storage = remote()
    if storage is None:
        try:
            return (media_root() / key).read_bytes()
        except FileNotFoundError:
            return None
    try:
        with storage.open(key, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def guess_mime(name: str, declared: str = "") -> str:
    guessed, _ = mimetypes.guess_type(name)
    return guessed or declared or "application/octet-stream"

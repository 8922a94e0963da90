"""Resumable chunked uploads: the protocol over HTTP, resuming to a byte-identical file, the form, cleanup."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zhijiao.resources import uploads
from zhijiao.resources.models import Resource, ResourceFile, ResourceType, UploadSession
from zhijiao.resources.services import ResourceData, StoredUpload, resource_create
from zhijiao.resources.storage import blob_path
from zhijiao.resources.tests.conftest import ORIGIN
from zhijiao.testing import login_as

URL = "/api/v1/resources/uploads"
CHUNK = 64 * 1024
OCTETS = "application/offset+octet-stream"


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch):
    monkeypatch.setattr(uploads, "CHUNK_SIZE", CHUNK)


def video_bytes(size: int) -> bytes:
    """Not a repeating pattern: a misplaced chunk changes the hash."""
    return os.urandom(size)


def start(client: Client, data: bytes, *, name: str = "圆的认识.mp4", fingerprint: str = "fp-1"):
    return client.post(
        URL,
        {"name": name, "size": len(data), "content_type": "video/mp4", "fingerprint": fingerprint},
        content_type="application/json",
    )


def send(client: Client, upload_id: str, data: bytes, offset: int):
    return client.patch(
        f"{URL}/{upload_id}", data=data[offset : offset + CHUNK], content_type=OCTETS, headers={"Upload-Offset": offset}
    )


def test_create_resume_wrong_offset_and_other_account(region):
    client = Client()
    login_as(client, "teacher")
    data = video_bytes(3 * CHUNK + 100)
    created = start(client, data)
    assert created.status_code == 201
    body = created.json()
    assert body["received"] == 0 and body["chunk_size"] == CHUNK and body["done"] is False
    upload_id = body["id"]

    first = send(client, upload_id, data, 0)
    assert first.status_code == 200 and first.json()["received"] == CHUNK and first["Upload-Offset"] == str(CHUNK)
    again = start(client, data)  # the same file again (a reload): the same session, from the server's offset
    assert again.status_code == 200 and again.json()["id"] == upload_id and again.json()["received"] == CHUNK
    assert start(client, data, fingerprint="fp-other").json()["id"] != upload_id

    stale = send(client, upload_id, data, 0)  # a chunk sent twice
    assert stale.status_code == 409
    assert stale.json()["code"] == "RESOURCE_UPLOAD_OFFSET" and stale.json()["received"] == CHUNK
    assert stale["Upload-Offset"] == str(CHUNK)
    assert uploads.part_path(UploadSession.objects.get(pk=upload_id)).stat().st_size == CHUNK  # nothing written

    other = Client()
    login_as(other, "head")
    assert other.get(f"{URL}/{upload_id}").status_code == 404
    assert send(other, upload_id, data, CHUNK).status_code == 404
    assert other.delete(f"{URL}/{upload_id}").status_code == 404
    assert start(other, data).json()["id"] != upload_id  # fingerprints are per account
    status = client.get(f"{URL}/{upload_id}").json()
    assert (status["received"], status["size"], status["done"]) == (CHUNK, len(data), False)
    assert Client().get(f"{URL}/{upload_id}").status_code == 401


def test_oversize_file_and_chunk_are_refused(region, settings):
    settings.ZHIJIAO_RESOURCE_UPLOAD_MAX_MB = 1
    client = Client()
    login_as(client, "teacher")
    too_big = client.post(URL, {"name": "大.mp4", "size": 1024 * 1024 + 1}, content_type="application/json")
    assert too_big.status_code == 413 and too_big.json()["code"] == "RESOURCE_UPLOAD_TOO_LARGE"
    assert "大.mp4" in too_big.json()["message"] and "1 MB" in too_big.json()["message"]
    empty = client.post(URL, {"name": "空.mp4", "size": 0}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["code"] == "RESOURCE_FILE_EMPTY"

    data = video_bytes(2 * CHUNK + 10)
    upload_id = start(client, data).json()["id"]
    big_chunk = client.patch(
        f"{URL}/{upload_id}", data=data[: CHUNK + 1], content_type=OCTETS, headers={"Upload-Offset": 0}
    )
    assert big_chunk.status_code == 413 and big_chunk.json()["code"] == "RESOURCE_UPLOAD_CHUNK_TOO_LARGE"
    small = start(client, b"x" * 10, name="小.txt", fingerprint="fp-small").json()["id"]
    past_end = client.patch(f"{URL}/{small}", data=b"y" * 11, content_type=OCTETS, headers={"Upload-Offset": 0})
    assert past_end.status_code == 413 and past_end.json()["code"] == "RESOURCE_UPLOAD_PAST_END"
    no_offset = client.patch(f"{URL}/{small}", data=b"y", content_type=OCTETS)
    assert no_offset.status_code == 400 and no_offset.json()["code"] == "RESOURCE_UPLOAD_BAD_REQUEST"
    assert UploadSession.objects.get(pk=small).received == 0


def test_complete_upload_is_stored_by_sha256(region):
    client = Client()
    login_as(client, "teacher")
    data = video_bytes(2 * CHUNK + 7)
    upload_id = start(client, data).json()["id"]
    offset = 0
    while offset < len(data):
        body = send(client, upload_id, data, offset).json()
        offset = body["received"]
    sha = hashlib.sha256(data).hexdigest()
    assert body["done"] is True and body["file_sha256"] == sha
    file = ResourceFile.objects.get(sha256=sha)
    assert file.size == len(data) and file.mime == "video/mp4"
    assert blob_path(sha).read_bytes() == data
    session = UploadSession.objects.get(pk=upload_id)
    assert session.file == file and session.completed_at is not None
    assert not uploads.part_path(session).exists()
    late = client.patch(f"{URL}/{upload_id}", data=b"z", content_type=OCTETS, headers={"Upload-Offset": len(data)})
    assert late.status_code == 409 and late.json()["code"] == "RESOURCE_UPLOAD_COMPLETE"
    assert start(client, data).status_code == 201  # a finished session is not resumed


def test_resumed_upload_produces_a_byte_identical_file(region):
    """Half the chunks, then a "restart" (a new client, a new POST with the same fingerprint answers the offset),
    then the rest: the stored blob has the original's bytes and hash, and a resource is made from it."""
    data = video_bytes(9 * CHUNK + 12345)
    fingerprint = f"圆的认识.mp4|{len(data)}|1764400000000"
    first = Client()
    login_as(first, "teacher")
    upload_id = start(first, data, fingerprint=fingerprint).json()["id"]
    offset = 0
    for _ in range(5):
        offset = send(first, upload_id, data, offset).json()["received"]
    assert offset == 5 * CHUNK

    # the browser is reloaded: a new session cookie, the file picked again
    second = Client()
    login_as(second, "teacher")
    resumed = start(second, data, fingerprint=fingerprint)
    assert resumed.status_code == 200 and resumed.json()["id"] == upload_id
    offset = resumed.json()["received"]
    assert offset == 5 * CHUNK
    while offset < len(data):
        body = send(second, upload_id, data, offset).json()
        offset = body["received"]
    assert body["done"] is True

    stored = blob_path(body["file_sha256"])
    assert body["file_sha256"] == hashlib.sha256(data).hexdigest()
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert stored.read_bytes() == data

    teacher = region.accounts["teacher"]
    session = uploads.upload_finished_get(actor=teacher, upload_id=upload_id)
    meta = ResourceData(title="圆的认识 微课视频", type=ResourceType.MICRO_LESSON, stage="3", subject="14")
    result = resource_create(actor=teacher, data=meta, upload=StoredUpload.from_session(session), origin=ORIGIN)
    version = result.resource.current_version
    assert version.original_name == "圆的认识.mp4" and version.file.sha256 == hashlib.sha256(data).hexdigest()
    assert result.duplicate is False
    again = resource_create(actor=teacher, data=meta, upload=StoredUpload.from_session(session), origin=ORIGIN)
    assert again.duplicate is True and again.version.file == version.file


def test_stray_bytes_past_the_offset_are_cut_off(region):
    """A request that wrote bytes but never recorded them (a crash) leaves them past ``received``: the next
    append overwrites them."""
    client = Client()
    login_as(client, "teacher")
    data = video_bytes(2 * CHUNK)
    upload_id = start(client, data).json()["id"]
    send(client, upload_id, data, 0)
    with open(uploads.part_path(UploadSession.objects.get(pk=upload_id)), "ab") as part:
        part.write(b"garbage")
    body = send(client, upload_id, data, CHUNK).json()
    assert body["done"] is True and body["file_sha256"] == hashlib.sha256(data).hexdigest()


def test_unfinished_upload_cannot_make_a_resource_and_can_be_cancelled(region):
    client = Client()
    login_as(client, "teacher")
    data = video_bytes(2 * CHUNK)
    upload_id = start(client, data).json()["id"]
    send(client, upload_id, data, 0)
    teacher = region.accounts["teacher"]
    with pytest.raises(Exception, match="文件尚未上传完成"):
        uploads.upload_finished_get(actor=teacher, upload_id=upload_id)
    part = uploads.part_path(UploadSession.objects.get(pk=upload_id))
    assert client.delete(f"{URL}/{upload_id}").status_code == 204
    assert not part.exists() and not UploadSession.objects.filter(pk=upload_id).exists()
    assert client.get(f"{URL}/{upload_id}").json()["code"] == "RESOURCE_UPLOAD_NOT_FOUND"


def test_cleanup_removes_week_old_sessions_and_their_parts(region):
    client = Client()
    login_as(client, "teacher")
    data = video_bytes(2 * CHUNK)
    old_id = start(client, data, fingerprint="old").json()["id"]
    send(client, old_id, data, 0)
    fresh_id = start(client, data, fingerprint="fresh").json()["id"]
    old_part = uploads.part_path(UploadSession.objects.get(pk=old_id))
    UploadSession.objects.filter(pk=old_id).update(updated_at=timezone.now() - timedelta(days=8))
    assert uploads.upload_cleanup() == 1
    assert not old_part.exists() and not UploadSession.objects.filter(pk=old_id).exists()
    assert UploadSession.objects.filter(pk=fresh_id).exists()


def test_upload_page_saves_a_resource_from_a_finished_upload(region):
    client = Client()
    login_as(client, "teacher")
    page = client.get("/resources/upload/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="upload_id"' in html and "resources/upload.js" in html and "暂停" in html
    data = video_bytes(CHUNK + 5)
    upload_id = start(client, data).json()["id"]
    form = {"title": "圆周角定理 微课", "type": "micro_lesson", "stage": "3", "subject": "14", "licence": "region"}
    form |= {"sharing": "school", "upload_id": upload_id}
    unfinished = client.post("/resources/upload/", form)
    assert unfinished.status_code == 200 and "文件尚未上传完成" in unfinished.content.decode()
    send(client, upload_id, data, 0)
    send(client, upload_id, data, CHUNK)
    saved = client.post("/resources/upload/", form)
    assert saved.status_code == 302
    resource = Resource.objects.get(title="圆周角定理 微课")
    assert resource.current_version.file.sha256 == hashlib.sha256(data).hexdigest()
    assert resource.current_version.original_name == "圆的认识.mp4"

    other = Client()
    login_as(other, "head")
    stolen = other.post("/resources/upload/", form | {"title": "别人的文件"})
    assert stolen.status_code == 200 and not Resource.objects.filter(title="别人的文件").exists()
    neither = client.post("/resources/upload/", form | {"upload_id": "", "title": "无文件"})
    assert neither.status_code == 200 and "请选择文件" in neither.content.decode()

"""Resource files on S3-compatible storage, against moto's server: a real S3 HTTP API on 127.0.0.1."""

from __future__ import annotations

import io
import uuid

import boto3
import pytest
from django.core.files.storage import storages
from django.test import Client
from moto.server import ThreadedMotoServer
from PIL import Image

from zhijiao.resources.models import ResourceFile, SharingScope
from zhijiao.resources.previews import THUMB, preview_build
from zhijiao.resources.storage import blob_adopt, blob_key, blob_local, blob_path, blob_read, blob_size, preview_get
from zhijiao.resources.tests.conftest import make_resource, publish
from zhijiao.testing import login_as

pytestmark = pytest.mark.slow  # a moto S3 server over real HTTP


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    """A fresh bucket, with the resource storage pointed at it the way ZHIJIAO_STORAGE=s3 does."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "zhijiao-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "zhijiao-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"zhijiao-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=name)
    settings.ZHIJIAO_STORAGE = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "resources": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "location": "zj",
                "addressing_style": "path",
                "file_overwrite": True,
                "default_acl": None,
            },
        },
    }

    def keys(prefix: str = "") -> list[str]:
        listed = client.list_objects_v2(Bucket=name, Prefix=f"zj/{prefix}")
        return sorted(o["Key"] for o in listed.get("Contents", []))

    return keys


DATA = bytes(range(256)) * 40  # 10 240 bytes


def test_store_deduplicate_and_download_with_range(region, bucket, settings):
    a = region.accounts
    first = publish(
        make_resource(a["teacher"], title="勾股定理 微课", sharing=SharingScope.DISTRICT, data=DATA),
        first=a["principal"],
        second=a["bureau"],
    )
    sha = ResourceFile.objects.get(versions__resource=first).sha256
    assert bucket("resources/") == [f"zj/{blob_key(sha)}"]
    assert not blob_path(sha).exists()  # nothing kept on local disk
    assert list((settings.ZHIJIAO_MEDIA_DIR / "resources" / "tmp").iterdir()) == []

    second = make_resource(a["teacher"], title="勾股定理 微课（副本）", data=DATA)
    assert second.current_version.file.sha256 == sha
    assert bucket("resources/") == [f"zj/{blob_key(sha)}"]  # the same bytes went up once

    client = Client()
    login_as(client, "head")  # a colleague: a 本区 resource once published
    whole = client.get(f"/resources/{first.pk}/download/")
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == DATA
    part = client.get(f"/resources/{first.pk}/download/?inline=1", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part["Content-Range"] == "bytes 1000-1999/10240"
    assert b"".join(part.streaming_content) == DATA[1000:2000]
    tail = client.get(f"/api/v1/resources/{first.pk}/download", headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == DATA[-16:]
    refused = client.get(f"/resources/{first.pk}/download/", headers={"Range": "bytes=20000-"})
    assert refused.status_code == 416 and refused["Content-Range"] == "bytes */10240"


def test_ranged_reads_and_local_copy(bucket, tmp_path, settings):
    source = tmp_path / "finished.part"
    source.write_bytes(DATA)
    stored = blob_adopt(source)
    assert stored.created and not source.exists()
    assert blob_size(stored.sha256) == len(DATA)
    assert b"".join(blob_read(stored.sha256, 250, 10)) == DATA[250:260]
    with blob_local(stored.sha256) as copy:
        assert copy.read_bytes() == DATA
    assert not copy.exists()  # the temporary copy for tools is gone afterwards
    again = tmp_path / "again.part"
    again.write_bytes(DATA)
    assert blob_adopt(again).created is False and not again.exists()
    assert blob_size("0" * 64) is None


def test_previews_live_next_to_the_blob(region, bucket):
    image = Image.new("RGB", (960, 540), (30, 90, 200))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    resource = make_resource(region.accounts["teacher"], title="勾股树", data=buf.getvalue())
    file = ResourceFile.objects.get(versions__resource=resource)
    file.mime = "image/png"  # make_resource names every file lesson.pdf
    assert preview_build(file).state == "ready"
    assert f"zj/previews/{file.sha256[:2]}/{file.sha256}/{THUMB}" in bucket("previews/")
    with Image.open(io.BytesIO(preview_get(file.sha256, THUMB) or b"")) as thumb:
        assert thumb.size == (480, 270)
    client = Client()
    login_as(client, "teacher")
    response = client.get(f"/resources/{resource.pk}/preview/thumb.jpg")
    assert response.status_code == 200 and response.content == preview_get(file.sha256, THUMB)


def test_missing_object_is_not_found(region, bucket):
    resource = make_resource(region.accounts["teacher"], title="丢失的文件", data=b"gone soon")
    sha = resource.current_version.file.sha256
    storages["resources"].delete(blob_key(sha))
    client = Client()
    login_as(client, "teacher")
    assert client.get(f"/resources/{resource.pk}/download/").status_code == 404

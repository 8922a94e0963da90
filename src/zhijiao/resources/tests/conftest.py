from __future__ import annotations

import pytest

from zhijiao.audit.services import Origin
from zhijiao.curriculum.loading import taxonomy_load
from zhijiao.curriculum.models import TextbookVolume
from zhijiao.resources.models import Resource, ResourceType, SharingScope
from zhijiao.resources.services import ResourceData, UploadedFile, resource_create, resource_review, resource_submit

ORIGIN = Origin(channel="cli")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.ZHIJIAO_MEDIA_DIR = tmp_path / "media"


@pytest.fixture(autouse=True)
def _taxonomy(request):
    """The data migration loads the taxonomy, but a transactional test elsewhere flushes it: load it again."""
    if "db" not in request.fixturenames and "region" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    if not TextbookVolume.objects.exists():
        taxonomy_load()


def make_resource(
    author, *, title: str = "圆的认识 微课", sharing: str = SharingScope.SCHOOL, data: bytes | None = None, **extra
) -> Resource:
    meta = ResourceData(
        title=title,
        type=extra.pop("type", ResourceType.MICRO_LESSON),
        stage="3",
        subject="14",
        sharing=sharing,
        **extra,
    )
    upload = UploadedFile.from_bytes("lesson.pdf", data if data is not None else title.encode() * 10)
    return resource_create(actor=author, data=meta, upload=upload, origin=ORIGIN).resource


def publish(resource: Resource, *, first, second) -> Resource:
    resource_submit(actor=resource.author, resource=resource, origin=ORIGIN)
    if resource.owner_school_id:
        resource_review(actor=first, resource=resource, approve=True, origin=ORIGIN)
    return resource_review(actor=second, resource=resource, approve=True, origin=ORIGIN)


def make_published(accounts, *, title: str = "圆的认识 微课", **extra) -> Resource:
    """A resource by the region's teacher, through 一审 (principal) and 二审 (bureau) to published."""
    return publish(
        make_resource(accounts["teacher"], title=title, **extra), first=accounts["principal"], second=accounts["bureau"]
    )

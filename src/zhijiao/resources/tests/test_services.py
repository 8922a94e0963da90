from __future__ import annotations

import hashlib

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.resources.models import ResourceFile, ResourceStatus, ReviewStep
from zhijiao.resources.services import (
    ResourceData,
    UploadedFile,
    resource_create,
    resource_review,
    resource_submit,
    resource_update,
)
from zhijiao.resources.storage import blob_path
from zhijiao.resources.tests.conftest import ORIGIN, make_resource


def test_create_stores_bytes_checksum_addressed_and_takes_the_chapter_facets(region):
    teacher = region.accounts["teacher"]
    section = Chapter.objects.get(volume__code="9a", number="24.1")
    point = KnowledgePoint.objects.get(name="圆的有关性质")
    data = b"%PDF-1.4 circle" * 100
    result = resource_create(
        actor=teacher,
        data=ResourceData(
            title="垂径定理", type="courseware", stage="3", subject="14", chapter=section, knowledge_points=[point]
        ),
        upload=UploadedFile.from_bytes("垂径定理.pdf", data),
        origin=ORIGIN,
    )
    r = result.resource
    sha = hashlib.sha256(data).hexdigest()
    assert r.status == ResourceStatus.DRAFT
    assert r.owner_school == region.schools["A"] and r.owner_division_id == "420112"
    assert (r.volume.name, r.edition.name, r.grade) == ("九年级上册", "人教版", "23")
    assert list(r.knowledge_points.all()) == [point]
    assert r.current_version.file.sha256 == sha and r.current_version.file.mime == "application/pdf"
    assert blob_path(sha).read_bytes() == data
    assert str(blob_path(sha)).endswith(f"resources/{sha[:2]}/{sha}")
    assert result.duplicate is False
    assert AuditEvent.objects.filter(action="resource.create", target_id=str(r.pk)).exists()


def test_same_bytes_are_stored_once_and_reported(region):
    teacher, head = region.accounts["teacher"], region.accounts["head"]
    first = make_resource(teacher, title="一次函数", data=b"same bytes")
    result = resource_create(
        actor=head,
        data=ResourceData(title="一次函数（副本）", type="courseware", stage="3", subject="14"),
        upload=UploadedFile.from_bytes("copy.pdf", b"same bytes"),
        origin=ORIGIN,
    )
    assert result.duplicate is True
    assert ResourceFile.objects.count() == 1
    assert result.version.file_id == first.current_version.file_id
    # the first is still a draft of someone else: it exists but is not named to the second author
    assert result.duplicates == []
    own_again = resource_create(
        actor=teacher,
        data=ResourceData(title="again", type="courseware", stage="3", subject="14"),
        upload=UploadedFile.from_bytes("again.pdf", b"same bytes"),
        origin=ORIGIN,
    )
    assert own_again.duplicates == [first]
    tmp = blob_path(first.current_version.file.sha256).parent.parent / "tmp"
    assert list(tmp.iterdir()) == []


def test_too_large_and_empty_files_are_refused(region, settings):
    settings.ZHIJIAO_RESOURCE_MAX_MB = 1
    teacher = region.accounts["teacher"]
    meta = ResourceData(title="大文件", type="video", stage="3", subject="14")
    big = UploadedFile(name="v.mp4", chunks=(b"x" * 600_000 for _ in range(2)))
    with pytest.raises(ZhijiaoError) as exc:
        resource_create(actor=teacher, data=meta, upload=big, origin=ORIGIN)
    assert exc.value.code == "RESOURCE_FILE_TOO_LARGE" and exc.value.status == 413
    with pytest.raises(ZhijiaoError) as exc:
        resource_create(actor=teacher, data=meta, upload=UploadedFile.from_bytes("e.txt", b""), origin=ORIGIN)
    assert exc.value.code == "RESOURCE_FILE_EMPTY"
    assert ResourceFile.objects.count() == 0


def test_review_happy_path_first_then_second_publishes(region):
    teacher, principal, bureau = region.accounts["teacher"], region.accounts["principal"], region.accounts["bureau"]
    r = make_resource(teacher)
    resource_submit(actor=teacher, resource=r, origin=ORIGIN)
    r.refresh_from_db()
    assert r.status == ResourceStatus.SUBMITTED
    with pytest.raises(ZhijiaoError) as exc:  # 二审 reviewer cannot take 一审
        resource_review(actor=bureau, resource=r, approve=True, origin=ORIGIN)
    assert exc.value.code == "RESOURCE_NOT_REVIEWABLE"
    resource_review(actor=principal, resource=r, approve=True, comment="内容准确", origin=ORIGIN)
    r.refresh_from_db()
    assert r.status == ResourceStatus.FIRST_APPROVED and r.published_at is None
    with pytest.raises(ZhijiaoError):  # the school cannot take 二审
        resource_review(actor=principal, resource=r, approve=True, origin=ORIGIN)
    resource_review(actor=bureau, resource=r, approve=True, origin=ORIGIN)
    r.refresh_from_db()
    assert r.status == ResourceStatus.PUBLISHED and r.published_at is not None
    steps = list(ReviewStep.objects.filter(resource=r).values_list("stage", "decision", "reviewer__username"))
    assert steps == [
        ("submit", "submitted", "teacher"),
        ("first", "approved", "principal"),
        ("second", "approved", "bureau"),
    ]
    actions = list(AuditEvent.objects.filter(target_id=str(r.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["resource.create", "resource.submit", "resource.approve_first", "resource.publish"]


def test_return_needs_a_comment_and_the_author_can_fix_and_resubmit(region):
    teacher, principal, bureau = region.accounts["teacher"], region.accounts["principal"], region.accounts["bureau"]
    r = make_resource(teacher)
    resource_submit(actor=teacher, resource=r, origin=ORIGIN)
    with pytest.raises(ZhijiaoError) as exc:
        resource_review(actor=principal, resource=r, approve=False, comment="  ", origin=ORIGIN)
    assert exc.value.code == "RESOURCE_COMMENT_REQUIRED"
    resource_review(actor=principal, resource=r, approve=True, origin=ORIGIN)
    resource_review(actor=bureau, resource=r, approve=False, comment="缺少例题讲解", origin=ORIGIN)
    r.refresh_from_db()
    assert r.status == ResourceStatus.RETURNED
    assert ReviewStep.objects.filter(resource=r, decision="returned").get().comment == "缺少例题讲解"
    result = resource_update(
        actor=teacher,
        resource=r,
        data=ResourceData(title="圆的认识（修订）", type="micro_lesson", stage="3", subject="14"),
        upload=UploadedFile.from_bytes("v2.mp4", b"new version bytes"),
        origin=ORIGIN,
    )
    assert result is not None and result.version.number == 2
    assert r.versions.count() == 2
    resource_submit(actor=teacher, resource=r, origin=ORIGIN)
    r.refresh_from_db()
    assert r.status == ResourceStatus.SUBMITTED and r.title == "圆的认识（修订）"
    with pytest.raises(ZhijiaoError) as exc:  # in review: locked
        resource_update(
            actor=teacher,
            resource=r,
            data=ResourceData(title="x", type="micro_lesson", stage="3", subject="14"),
            origin=ORIGIN,
        )
    assert exc.value.code == "RESOURCE_NOT_EDITABLE"


def test_authors_cannot_review_or_submit_others(region):
    teacher, principal, head = region.accounts["teacher"], region.accounts["principal"], region.accounts["head"]
    own = make_resource(principal, title="校长的资源")
    resource_submit(actor=principal, resource=own, origin=ORIGIN)
    with pytest.raises(ZhijiaoError) as exc:
        resource_review(actor=principal, resource=own, approve=True, origin=ORIGIN)
    assert exc.value.code == "RESOURCE_OWN_REVIEW"
    r = make_resource(teacher)
    with pytest.raises(ZhijiaoError) as exc:
        resource_submit(actor=head, resource=r, origin=ORIGIN)
    assert exc.value.code == "RESOURCE_NOT_AUTHOR"


def test_a_bureau_resource_skips_the_school_step(region):
    bureau, city = region.accounts["bureau"], region.accounts["city"]
    r = make_resource(bureau, title="区教研室 专题讲座")
    assert r.owner_school is None and r.owner_division_id == "420112"
    resource_submit(actor=bureau, resource=r, origin=ORIGIN)
    r.refresh_from_db()
    assert r.status == ResourceStatus.FIRST_APPROVED
    resource_review(actor=city, resource=r, approve=True, origin=ORIGIN)
    r.refresh_from_db()
    assert r.status == ResourceStatus.PUBLISHED


def test_keywords_split_on_chinese_and_ascii_separators(region):
    r = make_resource(region.accounts["teacher"], keywords="勾股定理，直角三角形、 勾股定理 证明")
    assert r.keyword_list == ["勾股定理", "直角三角形", "证明"]

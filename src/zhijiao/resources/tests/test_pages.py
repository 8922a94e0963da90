from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.resources.models import Resource, ResourceStatus, SharingScope
from zhijiao.resources.tests.conftest import make_resource, publish
from zhijiao.testing import login_as


@pytest.fixture
def published(region):
    a = region.accounts
    public = publish(
        make_resource(a["teacher"], title="勾股定理 公开课", sharing=SharingScope.PUBLIC, data=b"0123456789" * 100),
        first=a["principal"],
        second=a["bureau"],
    )
    school = publish(make_resource(a["teacher"], title="本校 教案"), first=a["principal"], second=a["bureau"])
    return {"public": public, "school": school}


def test_public_portal_and_download_without_login(published):
    client = Client()
    page = client.get("/resources/public/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "勾股定理 公开课" in html and "本校 教案" not in html
    detail = client.get(f"/resources/{published['public'].pk}/")
    assert detail.status_code == 200 and "下载" in detail.content.decode()
    ranged = client.get(f"/resources/{published['public'].pk}/download/", headers={"Range": "bytes=10-19"})
    assert ranged.status_code == 206 and b"".join(ranged.streaming_content) == b"0123456789"
    assert ranged["Content-Range"] == "bytes 10-19/1000"
    assert client.get(f"/resources/{published['school'].pk}/").status_code == 404
    assert client.get(f"/resources/{published['school'].pk}/download/").status_code == 404
    assert client.get("/resources/").status_code == 302  # the full list needs a login


def test_list_filters_and_scope(region, published):
    client = Client()
    login_as(client, "teacher")
    html = client.get("/resources/?stage=3&subject=14").content.decode()
    assert "勾股定理 公开课" in html and "本校 教案" in html
    assert "勾股定理 公开课" not in client.get("/resources/?subject=13").content.decode()
    login_as(client, "nobody")  # another district: school-only resources are not found
    assert "本校 教案" not in client.get("/resources/").content.decode()
    assert client.get(f"/resources/{published['school'].pk}/").status_code == 404


def test_upload_submit_review_through_the_pages(region, settings):
    client = Client()
    login_as(client, "teacher")
    section = Chapter.objects.get(volume__code="8b", number="17.1")
    point = KnowledgePoint.objects.get(name="勾股定理")
    form = client.get("/resources/upload/")
    assert form.status_code == 200 and "请先选择学段和学科" in form.content.decode()  # books follow 学段 and 学科
    books = client.get(f"/resources/form/taxonomy/?stage=3&subject=14&edition={section.volume.edition_id}")
    assert books.status_code == 200 and "八年级下册" in books.content.decode()
    response = client.post(
        "/resources/upload/",
        {
            "title": "勾股定理的证明",
            "type": "courseware",
            "stage": "3",
            "subject": "14",
            "chapter": section.pk,
            "knowledge_points": [point.pk],
            "licence": "region",
            "sharing": "district",
            "file": SimpleUploadedFile("证明.pptx", b"PK slides" * 50),
        },
    )
    assert response.status_code == 302
    r = Resource.objects.get(title="勾股定理的证明")
    assert response["Location"] == f"/resources/{r.pk}/"
    assert r.status == ResourceStatus.DRAFT and r.grade == "22" and r.volume.name == "八年级下册"
    assert "提交审核" in client.get(f"/resources/{r.pk}/").content.decode()
    assert "勾股定理的证明" in client.get("/resources/mine/").content.decode()
    assert client.post(f"/resources/{r.pk}/submit/").status_code == 302
    login_as(client, "principal")
    queue = client.get("/resources/review/?stage=first").content.decode()
    assert "勾股定理的证明" in queue
    client.post(f"/resources/{r.pk}/review/", {"decision": "approve", "next": "/resources/review/"})
    login_as(client, "bureau")
    assert "勾股定理的证明" in client.get("/resources/review/?stage=second").content.decode()
    back = client.post(
        f"/resources/{r.pk}/review/", {"decision": "return", "comment": "请补充出处", "next": "https://evil.example/"}
    )
    assert back["Location"] == "/resources/review/"
    r.refresh_from_db()
    assert r.status == ResourceStatus.RETURNED
    login_as(client, "teacher")
    assert "请补充出处" in client.get(f"/resources/{r.pk}/").content.decode()


def test_reviewing_outside_ones_queue_is_refused(region, published):
    client = Client()
    login_as(client, "city")  # a reviewer (二审 for the city), but a draft is in nobody's queue
    draft = make_resource(region.accounts["teacher"], title="草稿")
    assert client.post(f"/resources/{draft.pk}/review/", {"decision": "approve"}).status_code == 404
    assert re.search("审核队列是空的", client.get("/resources/review/").content.decode())
    login_as(client, "nobody")  # a teacher: no review feature at all (issue 12: 403, was 404 / an empty queue)
    assert client.post(f"/resources/{draft.pk}/review/", {"decision": "approve"}).status_code == 403
    assert client.get("/resources/review/").status_code == 403


def test_upload_refuses_a_chapter_of_another_subject(region):
    """Several subjects now have a 八年级上册: the chosen chapter must belong to the chosen 学段 and 学科."""
    client = Client()
    login_as(client, "teacher")
    physics = Chapter.objects.get(volume__edition__subject="16", volume__code="8a", number="1.1")
    response = client.post(
        "/resources/upload/",
        {
            "title": "三角形 课件",
            "type": "courseware",
            "stage": "3",
            "subject": "14",
            "chapter": physics.pk,
            "licence": "region",
            "sharing": "school",
            "file": SimpleUploadedFile("三角形.pptx", b"PK slides" * 50),
        },
    )
    assert response.status_code == 200  # the form again, with the chapter refused (the cascade offers no such chapter)
    assert 'id="id_chapter"' in response.content.decode() and "有效的选项" in response.content.decode()
    assert not Resource.objects.filter(title="三角形 课件").exists()

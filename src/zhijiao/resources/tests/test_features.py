"""Who has which resource-centre feature: the review queue (学校管理员 一审, 区域管理员 二审, 平台管理员) and
upload (those a resource can belong to). A role without the feature gets 403 with the Chinese 403 page, before
any record is looked up (decision 0001: 403 for a feature, 404 for an out-of-scope record)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.resources import selectors
from zhijiao.resources.models import Resource, ResourceStatus, SharingScope, UploadSession
from zhijiao.resources.services import _owner, resource_submit
from zhijiao.resources.tests.conftest import ORIGIN, make_published, make_resource
from zhijiao.testing import login_as

REVIEWERS = ("principal", "bureau", "city", "admin")
NOT_REVIEWERS = ("teacher", "head", "inspector", "student", "parent", "nobody")
UPLOADERS = ("teacher", "head", "principal", "bureau", "city", "nobody")
NOT_UPLOADERS = ("student", "parent", "inspector", "admin")


def _forbidden_page(response) -> str:
    assert response.status_code == 403
    html = response.content.decode()
    assert "没有访问权限" in html and "<html" in html  # the project's 403 page, not a bare response
    return html


def test_review_queue_answers_403_to_roles_that_do_not_review(region):
    client = Client()
    for who in NOT_REVIEWERS:
        login_as(client, who)
        for url in ("/resources/review/", "/resources/review/?stage=first", "/resources/review/?stage=second"):
            html = _forbidden_page(client.get(url))
            assert "资源审核由学校管理员" in html, who
            assert "审核队列是空的" not in html
    for who in REVIEWERS:
        login_as(client, who)
        assert client.get("/resources/review/").status_code == 200, who


def test_review_action_answers_403_to_roles_that_do_not_review(region):
    a = region.accounts
    submitted = make_resource(a["teacher"], title="待审 课件", sharing=SharingScope.PUBLIC)
    resource_submit(actor=a["teacher"], resource=submitted, origin=ORIGIN)
    client = Client()
    for who in NOT_REVIEWERS:
        login_as(client, who)
        response = client.post(f"/resources/{submitted.pk}/review/", {"decision": "approve"})
        _forbidden_page(response)
        # the feature is refused before the record is looked up: a missing one answers the same
        _forbidden_page(client.post("/resources/999999/review/", {"decision": "approve"}))
    submitted.refresh_from_db()
    assert submitted.status == ResourceStatus.SUBMITTED
    assert not submitted.review_steps.filter(stage="first").exists()


def test_may_upload_agrees_with_the_owner_the_service_would_give(region):
    """One definition of who may upload: the button and the 403 follow the owner ``resource_create`` uses."""
    for account in Account.objects.all():
        try:
            _owner(account)
        except ZhijiaoError:
            owner = False
        else:
            owner = True
        assert selectors.resource_may_upload(account) is owner, account.username
    for who in UPLOADERS:
        assert selectors.resource_may_upload(region.accounts[who]), who
    for who in NOT_UPLOADERS:
        assert not selectors.resource_may_upload(region.accounts[who]), who
    assert not selectors.resource_may_upload(None)


def test_upload_buttons_only_for_those_who_may_upload(region):
    client = Client()
    for who in UPLOADERS:
        login_as(client, who)
        for url in ("/resources/", "/resources/mine/"):
            assert 'href="/resources/upload/"' in client.get(url).content.decode(), (who, url)
    for who in NOT_UPLOADERS:
        login_as(client, who)
        search = client.get("/resources/")
        assert search.status_code == 200
        html = search.content.decode()
        assert "上传资源" not in html and 'href="/resources/upload/"' not in html, who
        assert 'href="/resources/mine/"' not in html, who  # nothing of their own to list
        assert 'href="/resources/upload/"' not in client.get("/resources/mine/").content.decode(), who


@pytest.mark.parametrize("who", ["student", "parent", "inspector"])
def test_upload_and_edit_pages_answer_403_to_those_who_may_not_upload(region, who):
    public = make_published(region.accounts, title="勾股定理 公开课", sharing=SharingScope.PUBLIC)
    client = Client()
    login_as(client, who)
    before = Resource.objects.count()
    html = _forbidden_page(client.get("/resources/upload/"))
    assert "只有教师、班主任、学校管理员和教育局管理员可以上传" in html
    _forbidden_page(
        client.post(
            "/resources/upload/",
            {
                "title": "偷传",
                "type": "courseware",
                "stage": "3",
                "subject": "14",
                "licence": "region",
                "sharing": "public",
                "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x" * 20),
            },
        )
    )
    _forbidden_page(client.get("/resources/form/taxonomy/?stage=3&subject=14"))
    _forbidden_page(client.get(f"/resources/{public.pk}/edit/"))
    _forbidden_page(client.post(f"/resources/{public.pk}/edit/", {"title": "改了"}))
    assert Resource.objects.count() == before
    api = client.post(
        "/api/v1/resources/uploads",
        {"name": "a.mp4", "size": 1024, "content_type": "video/mp4", "fingerprint": "fp"},
        content_type="application/json",
    )
    assert api.status_code == 403 and api.json()["code"] == "RESOURCE_UPLOAD_NOT_ALLOWED"
    assert not UploadSession.objects.exists()
    public.refresh_from_db()
    assert public.title == "勾股定理 公开课"

"""Who has which resource-centre feature: the review queue (学校管理员 一审, 区域管理员 二审, 平台管理员) and
upload (those a resource can belong to). A role without the feature gets 403 with the Chinese 403 page, before
any record is looked up (decision 0001: 403 for a feature, 404 for an out-of-scope record)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.resources import searching, selectors
from zhijiao.resources.models import Resource, ResourceStatus, SharingScope, UploadSession
from zhijiao.resources.services import _owner, resource_submit
from zhijiao.resources.tests.conftest import ORIGIN, make_published, make_resource
from zhijiao.testing import login_as
from zhijiao.web import integrity
from zhijiao.web.integrity import integrity_report

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


class _VisibleText(HTMLParser):
    """What a reader of the page sees: text outside script and style, and the tooltips, placeholders and alt
    texts; not URLs, class names or other attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        self.parts += [v for k, v in attrs if k in ("title", "placeholder", "alt", "aria-label") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "".join(parser.parts)


DEVELOPER_WORDS = re.compile(
    r"JSON|MIME|SHA|API|htmx|schema\.org|zhijiao |manage|reindex|application/|video/|text/|image/|FILE"
)


def test_resource_pages_show_teachers_pupils_and_parents_no_developer_words(region):
    a = region.accounts
    public = make_published(a, title="勾股定理 公开课", sharing=SharingScope.PUBLIC)
    draft = make_resource(a["teacher"], title="圆的认识 草稿")
    client = Client()
    pages = {
        "teacher": [
            f"/resources/{public.pk}/",
            f"/resources/{draft.pk}/",
            f"/resources/{draft.pk}/edit/",
            "/resources/",
            "/resources/?q=勾股定理",
            "/resources/?q=没有这样的资源",
            "/resources/mine/",
            "/resources/upload/",
            "/resources/favourites/",
        ],
        "head": [f"/resources/{public.pk}/", "/resources/"],
        "student": [f"/resources/{public.pk}/", "/resources/", "/resources/?q=没有这样的资源", "/resources/mine/"],
        "parent": [f"/resources/{public.pk}/", "/resources/"],
        "": [f"/resources/{public.pk}/", "/resources/public/", "/resources/public/?q=勾股"],
    }
    for who, urls in pages.items():
        client.logout()
        if who:
            login_as(client, who)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            found = DEVELOPER_WORDS.findall(visible_text(response.content.decode()))
            assert not found, (who, url, found)


def test_search_fallback_note_names_no_command(region, monkeypatch):
    """Without a usable index the page lists from the database and says so plainly; the rebuild command is for
    operators (``zhijiao check``), not in the page."""
    make_published(region.accounts, title="勾股定理 公开课", sharing=SharingScope.PUBLIC)

    class Broken:
        def num_docs(self) -> int:
            raise OSError("index unreadable")

    monkeypatch.setattr(searching, "search_backend", lambda: Broken())
    client = Client()
    login_as(client, "teacher")
    text = visible_text(client.get("/resources/?q=勾股定理").content.decode())
    assert "勾股定理 公开课" in text and "按标题、简介和关键词直接匹配" in text
    assert "zhijiao" not in text and "索引" not in text


def test_description_export_only_for_bureau_data_staff_in_plain_words(region):
    public = make_published(region.accounts, title="勾股定理 公开课", sharing=SharingScope.PUBLIC)
    link = f'href="/api/v1/resources/{public.pk}/jsonld"'
    client = Client()
    for who in ("bureau", "inspector", "admin"):
        login_as(client, who)
        html = client.get(f"/resources/{public.pk}/").content.decode()
        assert link in html and "导出资源描述（标准格式）" in html, who
        assert "JSON-LD" not in visible_text(html), who
    for who in ("teacher", "head", "principal", "student", "parent", ""):
        client.logout()
        if who:
            login_as(client, who)
        html = client.get(f"/resources/{public.pk}/").content.decode()
        assert link not in html and "导出资源描述" not in html, who


def test_check_tells_the_operator_to_rebuild_an_unusable_index(region, monkeypatch):
    make_published(region.accounts, title="勾股定理 公开课", sharing=SharingScope.PUBLIC)

    class Empty:
        def num_docs(self) -> int:
            return 0

    class Broken:
        def num_docs(self) -> int:
            raise OSError("index unreadable")

    for backend in (Empty(), Broken()):
        monkeypatch.setattr(integrity, "search_backend", lambda backend=backend: backend)
        found = next(r for r in integrity_report() if r.title == "资源搜索索引")
        assert found.ok and found.warning and "zhijiao manage resources_reindex" in found.detail

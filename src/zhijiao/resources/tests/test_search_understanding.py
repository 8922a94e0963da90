"""Query understanding through the API and the pages (issue 19): explain, corrections, suggestions, the dictionary."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from huey.contrib.djhuey import HUEY

from zhijiao.resources import indexing
from zhijiao.resources.models import SearchTerm, SharingScope
from zhijiao.resources.tests.conftest import make_resource, publish
from zhijiao.testing import login_as


@pytest.fixture(autouse=True)
def _seeded_dictionary(db):
    """The dictionary as the data migration seeds it: a transactional test elsewhere in the run flushes the tables
    (and the migration's rows with them), so seed again when it is empty, as the migration would."""
    importlib.import_module("zhijiao.resources.migrations.0007_search_terms_seed").seed(apps, None)


@pytest.fixture(autouse=True)
def _search(settings, tmp_path, monkeypatch):
    settings.ZHIJIAO_SEARCH_DIR = tmp_path / "search"
    monkeypatch.setattr(HUEY, "immediate", True)
    indexing.lexicon_changed()
    yield
    indexing.lexicon_changed()


def _published(a, capture, title, **extra):
    with capture(execute=True):
        return publish(make_resource(a["teacher"], title=title, **extra), first=a["principal"], second=a["bureau"])


def test_the_seed_dictionary_is_in_the_table(db):
    forms = set(SearchTerm.objects.values_list("forms", flat=True))
    assert "图像 图象" in forms and "教案 教学设计 教学方案" in forms
    assert SearchTerm.objects.filter(kind="popular").exists()


def test_api_explains_corrects_and_says_why(region, django_capture_on_commit_callbacks):
    a = region.accounts
    pyth = _published(
        a, django_capture_on_commit_callbacks, "勾股定理 课件", sharing=SharingScope.PUBLIC, keywords="直角三角形"
    )
    other = _published(a, django_capture_on_commit_callbacks, "欧姆定律 实验", sharing=SharingScope.PUBLIC)
    client = Client()
    login_as(client, "teacher")
    body = client.get("/api/v1/resources/search", {"q": "勾股定里", "explain": "1"}).json()
    assert [i["id"] for i in body["items"]] == [pyth.pk]
    assert body["corrected"] and body["query_used"] == "勾股定理"
    assert body["explain"]["correction"] == {"typed": "勾股定里", "meant": "勾股定理"}
    exact = client.get("/api/v1/resources/search", {"q": "勾股定里", "exact": "1"}).json()
    assert not exact["corrected"] and other.pk not in [i["id"] for i in exact["items"]][:1]
    assert client.get("/api/v1/resources/search", {"q": "勾股定理"}).json()["explain"] is None
    why = client.get("/api/v1/resources/search", {"q": "直角三角形"}).json()["items"][0]
    assert why["reason"] == "关键词「直角三角形」"
    shorthand = client.get("/api/v1/resources/search", {"q": "八下 勾股定理 PPT", "explain": "1"}).json()["explain"]
    assert shorthand["grade"] == "八年级" and shorthand["volume"] == ["下册"] and shorthand["shorthand"] == ["八下"]
    assert shorthand["terms"][1]["word"] == "ppt" and "课件" in shorthand["terms"][1]["variants"]


def test_suggestions_for_the_search_box(region):
    client = Client()
    items = client.get("/resources/suggest/", {"q": "勾股"}).json()["items"]  # anyone: names, not personal data
    assert items and all(set(i) == {"text", "kind"} for i in items)
    login_as(client, "teacher")
    assert client.get("/api/v1/resources/suggest", {"q": ""}).json()["items"][0]["kind"] == "热门"


def test_the_page_shows_the_correction_and_the_explain_view(region, django_capture_on_commit_callbacks):
    a = region.accounts
    _published(a, django_capture_on_commit_callbacks, "勾股定理 课件", sharing=SharingScope.PUBLIC)
    client = Client()
    login_as(client, "teacher")
    page = client.get("/resources/", {"q": "勾股定里", "explain": "1"}).content.decode()
    assert "已显示“<strong>勾股定理</strong>”的搜索结果" in page and "exact=1" in page
    assert "检索解析" in page and "勾股定里 → 勾股定理" in page


def test_region_admins_keep_the_dictionary_and_it_takes_effect(region, django_capture_on_commit_callbacks):
    a = region.accounts
    hit = _published(a, django_capture_on_commit_callbacks, "勾股定理 智慧课堂实录", sharing=SharingScope.PUBLIC)
    teacher = Client()
    login_as(teacher, "teacher")
    assert teacher.get("/resources/search-terms/").status_code == 403
    assert teacher.post("/resources/search-terms/", {"kind": "synonym", "forms": "公开课 课堂实录"}).status_code == 403
    bureau = Client()
    login_as(bureau, "bureau")
    assert "检索词典" in bureau.get("/resources/search-terms/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = bureau.post("/resources/search-terms/", {"kind": "synonym", "forms": "公开课 课堂实录"})
    assert response.status_code == 302
    term = SearchTerm.objects.get(forms="公开课 课堂实录")
    assert term.updated_by_id == a["bureau"].pk
    body = teacher.get("/api/v1/resources/search", {"q": "勾股定理 公开课"}).json()
    assert [i["id"] for i in body["items"]] == [hit.pk]
    bad = bureau.post("/resources/search-terms/", {"kind": "synonym", "forms": "只有一个"})
    assert bad.status_code == 200 and "至少两个写法" in bad.content.decode()
    bureau.post("/resources/search-terms/", {"action": "delete", "id": str(term.pk)})
    assert not SearchTerm.objects.filter(pk=term.pk).exists()

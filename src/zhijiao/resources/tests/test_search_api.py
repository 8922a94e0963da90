from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from huey.contrib.djhuey import HUEY

from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.resources.indexing import index_resources, search_backend
from zhijiao.resources.models import Resource, ResourceType, SharingScope
from zhijiao.resources.tests.conftest import make_resource, publish
from zhijiao.testing import login_as


@pytest.fixture(autouse=True)
def _search(settings, tmp_path, monkeypatch):
    settings.ZHIJIAO_SEARCH_DIR = tmp_path / "search"
    monkeypatch.setattr(HUEY, "immediate", True)  # the index job runs in-process, as the worker would


def published(a, capture, title, **extra):
    with capture(execute=True):
        return publish(make_resource(a["teacher"], title=title, **extra), first=a["principal"], second=a["bureau"])


def search(client: Client, query: str = "", **params):
    response = client.get("/api/v1/resources/search", {"q": query, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_publishing_indexes_and_search_respects_visibility(region, django_capture_on_commit_callbacks):
    a = region.accounts
    chapter = Chapter.objects.get(volume__code="9a", number="24.1")
    circle = KnowledgePoint.objects.get(code="M3-066")  # 圆的有关性质, alias 垂径定理
    city = published(
        a, django_capture_on_commit_callbacks, "弦与弧的关系", sharing=SharingScope.CITY, chapter=chapter,
        knowledge_points=[circle], description="通过折纸理解圆的对称性",
    )  # fmt: skip
    school = published(a, django_capture_on_commit_callbacks, "函数图像 本校学案", sharing=SharingScope.SCHOOL)
    with django_capture_on_commit_callbacks(execute=True):
        make_resource(a["teacher"], title="函数 草稿", sharing=SharingScope.PUBLIC)  # never published

    client = Client()
    assert client.get("/api/v1/resources/search?q=圆").status_code == 401  # as the list: login required
    login_as(client, "teacher")
    body = search(client, "圆")  # one character, inside 折纸理解圆的对称性
    assert [i["id"] for i in body["items"]] == [city.pk] and body["count"] == 1
    item = body["items"][0]
    assert item["type_name"] == "微课" and item["stage_name"] == "初中" and item["url"] == f"/resources/{city.pk}/"
    assert "<mark>圆</mark>" in item["snippet_html"]
    assert [i["id"] for i in search(client, "垂径定理")["items"]] == [city.pk]  # a knowledge-point alias
    assert [i["id"] for i in search(client, "圆的有关性质")["items"]] == [city.pk]  # its name
    assert [i["id"] for i in search(client, "函数")["items"]] == [school.pk]  # the draft is not searched
    facets = search(client, "")["facets"]
    assert facets["type"] == {"微课": 2} and facets["kp"] == {str(circle.pk): 1}
    assert set(facets) >= {"stage", "subject", "grade", "type", "edition", "volume", "chapter", "kp"}

    login_as(client, "nobody")  # same city, other school: 本市 yes, 本校 no
    assert [i["id"] for i in search(client, "")["items"]] == [city.pk]
    assert search(client, "函数")["items"] == []


def test_filters_sort_and_bad_parameters(region, django_capture_on_commit_callbacks):
    a = region.accounts
    section = Chapter.objects.get(volume__code="9a", number="24.1")
    pythagoras = KnowledgePoint.objects.get(code="M3-049")
    lesson = published(a, django_capture_on_commit_callbacks, "圆 微课", sharing=SharingScope.PUBLIC, chapter=section)
    plan = published(
        a, django_capture_on_commit_callbacks, "勾股 教案", sharing=SharingScope.PUBLIC, type=ResourceType.LESSON_PLAN,
        knowledge_points=[pythagoras],
    )  # fmt: skip
    # The index keeps whole seconds: make the order by 发布时间 unambiguous.
    Resource.objects.filter(pk=lesson.pk).update(published_at=lesson.published_at - timedelta(days=1))
    index_resources([lesson.pk])
    client = Client()
    login_as(client, "nobody")
    ids = lambda body: [i["id"] for i in body["items"]]  # noqa: E731
    assert ids(search(client, "", type="教案")) == [plan.pk]
    assert ids(search(client, "", type="micro_lesson")) == [lesson.pk]
    assert ids(search(client, "", kp=str(pythagoras.pk))) == [plan.pk]
    assert ids(search(client, "", chapter=str(section.parent_id))) == [lesson.pk]  # a chapter includes its sections
    assert search(client, "", stage="3")["count"] == 2 and search(client, "", stage="初中")["count"] == 2
    assert search(client, "", stage="2")["count"] == 0
    assert ids(search(client, "", sort="newest")) == [plan.pk, lesson.pk]
    assert ids(search(client, "", sort="newest", page="2", limit="1")) == [lesson.pk]
    for params in ({"sort": "热度"}, {"page": "0"}, {"limit": "abc"}, {"stage": "99"}, {"type": "电影"}, {"kp": "x"}):
        response = client.get("/api/v1/resources/search", params)
        assert response.status_code == 400, params
        assert "搜索参数无效" in response.json()["message"]


def test_reindex_command_rebuilds_from_published(region, django_capture_on_commit_callbacks, capsys):
    a = region.accounts
    with django_capture_on_commit_callbacks(execute=False):  # published, but the job never ran
        publish(make_resource(a["teacher"], title="三角形 课件", sharing=SharingScope.PUBLIC), first=a["principal"],
                second=a["bureau"])  # fmt: skip
    client = Client()
    login_as(client, "teacher")
    assert search(client, "三角形")["count"] == 0
    call_command("resources_reindex")
    assert "索引 1 条" in capsys.readouterr().out
    assert search(client, "三角形")["count"] == 1 and search_backend().num_docs() == 1

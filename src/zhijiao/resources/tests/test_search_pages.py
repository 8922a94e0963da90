"""The search pages (/resources/, /resources/public/) on the engine, and the review queue page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from huey.contrib.djhuey import HUEY

from zhijiao.curriculum.models import Chapter, KnowledgePoint
from zhijiao.resources.models import ResourceType, SharingScope
from zhijiao.resources.searching import SearchFilters, resource_search
from zhijiao.resources.services import resource_submit
from zhijiao.resources.tests.conftest import ORIGIN, make_resource, publish
from zhijiao.testing import login_as


@pytest.fixture(autouse=True)
def _search(settings, tmp_path, monkeypatch):
    settings.ZHIJIAO_SEARCH_DIR = tmp_path / "search"
    monkeypatch.setattr(HUEY, "immediate", True)  # the index job runs in-process, as the worker would


@pytest.fixture
def library(region, django_capture_on_commit_callbacks):
    """Published resources of three kinds, a draft and one awaiting review, all with matching words."""
    a = region.accounts

    def published(title, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return publish(make_resource(a["teacher"], title=title, **extra), first=a["principal"], second=a["bureau"])

    arc = Chapter.objects.get(volume__code="9a", number="24.1")
    right = Chapter.objects.get(volume__code="8b", number="17.1")
    pythagoras = KnowledgePoint.objects.get(name="勾股定理")
    lib = {
        "circle": published(
            "圆周角定理 微课", grade="23", chapter=arc, sharing=SharingScope.PUBLIC,
            description="同弧所对的圆周角等于它所对圆心角的一半",
        ),
        "plan": published(
            "勾股定理 教学设计", grade="22", chapter=right, knowledge_points=[pythagoras],
            type=ResourceType.LESSON_PLAN, sharing=SharingScope.PUBLIC,
            description="从赵爽弦图出发探索直角三角形三边关系",
        ),
        "slides": published(
            "勾股定理 课件（第1课时）", grade="22", chapter=right, knowledge_points=[pythagoras],
            type=ResourceType.COURSEWARE, sharing=SharingScope.SCHOOL,
        ),
        "other": published("勾股定理 复习试卷", grade="23", type=ResourceType.PAPER, sharing=SharingScope.CITY),
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        lib["draft"] = make_resource(a["teacher"], title="圆的面积 草稿", sharing=SharingScope.PUBLIC)
        lib["waiting"] = make_resource(a["teacher"], title="圆锥 待审", sharing=SharingScope.PUBLIC)
        resource_submit(actor=a["teacher"], resource=lib["waiting"], origin=ORIGIN)
    return lib


def titles(response) -> list[str]:
    return [i.resource.title for i in response.context["result"].items]


def group(response, key: str) -> dict[str, int]:
    found = [g for g in response.context["groups"] if g.key == key]
    return {o.label: o.count for g in found for o in (*g.options, *g.more)}


def test_one_character_query_and_facet_counts(library):
    client = Client()
    login_as(client, "teacher")
    page = client.get("/resources/", {"q": "圆"})
    assert page.status_code == 200
    assert titles(page) == ["圆周角定理 微课"]  # 圆 inside 圆周角; the draft and the one in review are not searched
    html = page.content.decode()
    assert "<mark>圆</mark>周角定理" in html and "找到约 <strong>1</strong> 个" in html

    everything = client.get("/resources/")
    assert everything.context["result"].count == 4
    assert group(everything, "grade") == {"初二": 2, "初三": 2}
    assert group(everything, "type") == {"微课": 1, "教案": 1, "课件": 1, "试卷": 1}
    assert group(everything, "kp") == {"勾股定理": 2}
    html = everything.content.decode()
    for title in ("学段", "学科", "年级", "类型", "版本", "册", "章节", "知识点"):
        assert f"<h3>{title}</h3>" in html, title
    # Chapters without a 册 chosen: the top chapters, sections counted in, named with their 册.
    assert group(everything, "chapter") == {"八年级下册 · 第17章 勾股定理": 2, "九年级上册 · 第24章 圆": 1}


def test_filters_combine_and_facets_stay_switchable(library):
    client = Client()
    login_as(client, "teacher")
    page = client.get("/resources/", {"q": "勾股定理", "grade": "初二"})
    assert sorted(titles(page)) == ["勾股定理 教学设计", "勾股定理 课件（第1课时）"]
    # The 年级 group is counted without its own filter: the other grade can still be chosen.
    assert group(page, "grade") == {"初二": 2, "初三": 1}
    assert group(page, "type") == {"教案": 1, "课件": 1}  # other groups: within the chosen grade
    active = [o for g in page.context["groups"] if g.key == "grade" for o in g.options if o.active]
    assert [o.label for o in active] == ["初二"] and "grade=" not in active[0].url  # clicking it removes it
    chips = page.context["chips"]
    assert [(c.title, c.label) for c in chips] == [("年级", "初二")] and "grade" not in chips[0].url

    both = client.get("/resources/", {"q": "勾股定理", "grade": "22", "type": "lesson_plan"})  # codes work too
    assert titles(both) == ["勾股定理 教学设计"]
    none = client.get("/resources/", {"q": "勾股定理", "grade": "初三", "type": "教案"})  # AND across facets
    assert titles(none) == []
    html = none.content.decode()
    assert "没有找到与“勾股定理”相关的资源" in html and "去掉一个筛选条件" in html and "换一个更短" in html

    # A 册 shows its chapter tree, sections with results under their chapter.
    tree = client.get("/resources/", {"volume": "八年级下册"})
    chapters = next(g for g in tree.context["groups"] if g.key == "chapter")
    assert chapters.tree and [o.label for o in chapters.options][:2] == ["第16章 二次根式", "第17章 勾股定理"]
    pyth = next(o for o in chapters.options if o.label == "第17章 勾股定理")
    assert pyth.count == 2 and [(s.label, s.count) for s in pyth.children] == [("17.1 勾股定理", 2)]
    section = Chapter.objects.get(volume__code="8b", number="17.1")
    narrowed = client.get("/resources/", {"volume": "八年级下册", "chapter": section.parent_id, "sort": "newest"})
    assert sorted(titles(narrowed)) == ["勾股定理 教学设计", "勾股定理 课件（第1课时）"]

    kp = KnowledgePoint.objects.get(name="勾股定理")
    assert len(titles(client.get("/resources/", {"point": kp.pk}))) == 2  # the detail page's ?point= links


def test_public_portal_shows_published_public_only(library):
    client = Client()  # anonymous
    page = client.get("/resources/public/")
    assert page.status_code == 200
    assert sorted(titles(page)) == ["勾股定理 教学设计", "圆周角定理 微课"]
    html = page.content.decode()
    assert "教师登录" in html and "sidebar" not in html and "草稿" not in html and "待审" not in html
    assert titles(client.get("/resources/public/", {"q": "课件"})) == []  # 本校 only
    assert titles(client.get("/resources/public/", {"q": "圆"})) == ["圆周角定理 微课"]
    login_as(client, "teacher")  # signed in, the portal still lists 公开 only
    assert sorted(titles(client.get("/resources/public/"))) == ["勾股定理 教学设计", "圆周角定理 微课"]
    assert client.get("/resources/").context["result"].count == 4


def test_highlighting_escapes_titles(region, django_capture_on_commit_callbacks):
    a = region.accounts
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            make_resource(a["teacher"], title='<script>alert("x")</script>圆的面积', sharing=SharingScope.PUBLIC,
                          description="<img src=x onerror=alert(1)> 圆"),
            first=a["principal"], second=a["bureau"],
        )  # fmt: skip
    html = Client().get("/resources/public/", {"q": "圆"}).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<mark>圆</mark>的面积" in html
    assert "<script>alert" not in html and "<img src=x" not in html and "&lt;img src=x" in html


def test_bad_parameters_are_explained_and_htmx_gets_the_results_only(library):
    client = Client()
    login_as(client, "teacher")
    page = client.get("/resources/", {"grade": "火星", "sort": "热度"})
    assert page.status_code == 200 and page.context["result"].count == 4
    assert re.search(r"排序：搜索参数无效|年级：搜索参数无效", page.content.decode())
    partial = client.get("/resources/", {"q": "勾股定理"}, headers={"HX-Request": "true", "HX-Target": "res-search"})
    html = partial.content.decode()
    assert "<html" not in html and 'id="res-search"' in html and 'hx-swap-oob="true"' in html
    assert len(titles(partial)) == 3


def test_empty_index_falls_back_to_the_database(region, django_capture_on_commit_callbacks):
    a = region.accounts
    with django_capture_on_commit_callbacks(execute=False):  # published, but the index job never ran
        publish(make_resource(a["teacher"], title="三角形内角和 课件", grade="22", type=ResourceType.COURSEWARE),
                first=a["principal"], second=a["bureau"])  # fmt: skip
        publish(make_resource(a["teacher"], title="一次函数 微课", grade="22"),
                first=a["principal"], second=a["bureau"])  # fmt: skip
    client = Client()
    login_as(client, "teacher")
    page = client.get("/resources/", {"q": "三角形"})
    assert titles(page) == ["三角形内角和 课件"] and page.context["result"].fallback
    assert "全文搜索暂时不可用" in page.content.decode() and "<mark>三角形</mark>" in page.content.decode()
    assert group(client.get("/resources/"), "type") == {"课件": 1, "微课": 1}
    assert titles(client.get("/resources/", {"type": "微课", "grade": "初二"})) == ["一次函数 微课"]
    # The API keeps the engine's answer (an empty index shows as no results, so a missing reindex is noticed).
    api = resource_search(actor=a["teacher"], query="三角形", filters=SearchFilters())
    assert api.count == 0 and not api.fallback


def test_review_queue_tabs_counts_and_order(region):
    a = region.accounts
    first = make_resource(a["teacher"], title="较早提交 教案")
    second = make_resource(a["teacher"], title="较晚提交 课件")
    for r in (first, second):
        resource_submit(actor=a["teacher"], resource=r, origin=ORIGIN)
    client = Client()
    login_as(client, "principal")
    html = client.get("/resources/review/").content.decode()
    assert re.search(r"待一审\s*<span[^>]*>2</span>", html) and re.search(r"待二审\s*<span[^>]*>0</span>", html)
    assert html.index("较早提交 教案") < html.index("较晚提交 课件")  # oldest first
    assert (a["teacher"].display_name or a["teacher"].username) in html  # who submitted
    assert f'href="/resources/{first.pk}/"' in html  # open → the detail page with approve / return


def test_chosen_volume_shows_the_tree_of_the_chosen_subject(library):
    """Several editions have a 八年级上册: with 学科 物理 chosen, the tree is the 物理 book's even with no results."""
    client = Client()
    login_as(client, "teacher")
    page = client.get("/resources/", {"subject": "物理", "volume": "八年级上册"})
    assert titles(page) == []
    chapters = next(g for g in page.context["groups"] if g.key == "chapter")
    assert [o.label for o in chapters.options][:2] == ["第1章 机械运动", "第2章 声现象"]
    maths = client.get("/resources/", {"subject": "数学", "stage": "初中", "volume": "八年级上册"})
    chapters = next(g for g in maths.context["groups"] if g.key == "chapter")
    assert chapters.options[0].label == "第11章 三角形"


def test_understood_note_names_the_labels_a_query_of_labels_filters_by():
    from zhijiao.resources.searching import SearchPage
    from zhijiao.resources.views_search import _understood_note

    def page(understood: dict) -> SearchPage:
        return SearchPage(
            items=[], count=0, facets={}, page=1, limit=20, sort="relevance", query="", filters=SearchFilters(),
            understood=understood,
        )  # fmt: skip

    labels = {"shorthand": ["七年级"], "grade": "七年级", "volume": [],
              "filters_from_query": {"subject": ["数学"], "type": ["教案"], "grade": ["七年级", "初一"]}}  # fmt: skip
    assert _understood_note(page(labels)) == "已按“数学、教案、七年级”筛选。"
    shorthand = {"shorthand": ["八下"], "grade": "八年级", "volume": ["下册"],
                 "filters_from_query": {"grade": ["八年级"], "volume": ["下册"]}}  # fmt: skip
    assert _understood_note(page(shorthand)) == "“八下”已按“八年级 下册”筛选。"

"""resources_for_knowledge_points: ranked for a learner, prerequisite fallback, visibility, bounded queries, API."""

from __future__ import annotations

import pytest
from django.test import Client

from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import KnowledgePoint
from zhijiao.identity.models import Account
from zhijiao.identity.services import api_token_create
from zhijiao.resources import selectors
from zhijiao.resources.models import Resource, ResourceType, SharingScope, UsageEvent, UsageKind
from zhijiao.resources.recommend import learner_grade
from zhijiao.resources.tests.conftest import make_resource, publish
from zhijiao.testing import login_as

T = ResourceType


@pytest.fixture
def points(region):
    return {
        "勾股定理": KnowledgePoint.objects.get(code="M3-049"),  # needs 二次根式 (M3-047) and 三角形内角和 (M3-033)
        "逆定理": KnowledgePoint.objects.get(code="M3-050"),  # needs 勾股定理
        "二次根式": KnowledgePoint.objects.get(code="M3-047"),
        "三角形内角和": KnowledgePoint.objects.get(code="M3-033"),
    }


def res(region, title, kind, *, grade="", points=(), sharing=SharingScope.SCHOOL, value=0.0, rating=0.0, **extra):
    """A published resource; ``value``/``rating`` stand in for the value-score job and the ratings."""
    a = region.accounts
    r = make_resource(
        extra.pop("author", a["teacher"]), title=title, type=kind, grade=grade, knowledge_points=list(points),
        sharing=sharing, **extra,
    )  # fmt: skip
    r = publish(r, first=a["principal"], second=a["bureau"])
    Resource.objects.filter(pk=r.pk).update(value_score=value, rating_avg=rating)
    return r


def seen_by(account, resource, kind=UsageKind.DOWNLOAD):
    # as resources.usage records a download or a play
    UsageEvent.objects.create(resource=resource, account=account, kind=kind, play_id="" if kind != "play" else "p1")


def titles(found):
    return [r.resource.title for r in found]


def test_learner_ranking_types_grade_quality_newest_and_seen_last(region, points):
    a = region.accounts
    p = [points["勾股定理"]]
    res(region, "教案 本年级 高价值", T.LESSON_PLAN, grade="13", points=p, value=95, rating=5)
    res(region, "视频素材 本年级", T.VIDEO, grade="13", points=p)
    res(region, "微课 八年级", T.MICRO_LESSON, grade="22", points=p, value=80)
    res(region, "试题 本年级", T.ITEM, grade="13", points=p, value=10)
    res(region, "微课 本年级 优质", T.MICRO_LESSON, grade="13", points=p, value=60, rating=4.5)
    res(region, "微课 本年级 一般 旧", T.MICRO_LESSON, grade="13", points=p, value=10)
    res(region, "微课 本年级 一般 新", T.MICRO_LESSON, grade="13", points=p, value=10)
    watched = res(region, "微课 本年级 已看过", T.MICRO_LESSON, grade="13", points=p, value=100, rating=5)
    res(region, "学案 未标年级", T.LEARNING_PLAN, points=p)
    seen_by(a["student"], watched, UsageKind.PLAY)

    assert learner_grade(a["student"]) == "13"  # 2024级 primary pupil in the 2026 school year
    found = selectors.resources_for_knowledge_points(actor=a["student"], points=p, limit=20)
    assert titles(found) == [
        "微课 本年级 优质",
        "微课 本年级 一般 新",  # equal in everything but age: newest first
        "微课 本年级 一般 旧",
        "试题 本年级",
        "学案 未标年级",  # no grade: between the learner's grade and another
        "微课 八年级",
        "视频素材 本年级",  # material, not a learner type
        "教案 本年级 高价值",  # for teachers: last however good
        "微课 本年级 已看过",  # played already: pushed to the end
    ]
    first = found[0]
    assert first.reason == "针对薄弱知识点「勾股定理」的微课" and first.point == points["勾股定理"]
    assert first.prerequisite_of is None and not first.seen and found[-1].seen
    assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)

    # not excluding what was seen: it ranks on its merits (best value and rating of the 微课)
    assert titles(selectors.resources_for_knowledge_points(actor=a["student"], points=p, exclude_seen=False))[0] == (
        "微课 本年级 已看过"
    )
    # only some types, and the limit
    items = selectors.resources_for_knowledge_points(actor=a["student"], points=p, types=[T.ITEM, T.LESSON_PLAN])
    assert titles(items) == ["试题 本年级", "教案 本年级 高价值"]
    assert len(selectors.resources_for_knowledge_points(actor=a["student"], points=p, limit=3)) == 3
    # a teacher asking for a pupil of 八年级 names the grade
    assert (
        titles(selectors.resources_for_knowledge_points(actor=a["teacher"], points=p, grade="22"))[0] == "微课 八年级"
    )


def test_prerequisites_fill_in_for_a_point_with_few_resources(region, points):
    a = region.accounts
    own = res(region, "逆定理 微课", T.MICRO_LESSON, points=[points["逆定理"]])
    pre = res(region, "勾股定理 学案", T.LEARNING_PLAN, points=[points["勾股定理"]])
    deeper = res(region, "二次根式 微课", T.MICRO_LESSON, points=[points["二次根式"]])  # two levels down: not used

    found = selectors.resources_for_knowledge_points(actor=a["student"], points=[points["逆定理"].pk])
    assert [r.resource for r in found] == [own, pre]  # the point's own first, even a 微课 before a 学案 fallback
    fallback = found[1]
    assert fallback.point == points["勾股定理"] and fallback.prerequisite_of == points["逆定理"]
    assert fallback.reason == "薄弱知识点「勾股定理的逆定理」的先修知识点「勾股定理」的学案"
    assert deeper not in [r.resource for r in found]

    # enough of its own (few=3 by default): no fallback
    res(region, "逆定理 试题", T.ITEM, points=[points["逆定理"]])
    res(region, "逆定理 试卷", T.PAPER, points=[points["逆定理"]])
    found = selectors.resources_for_knowledge_points(actor=a["student"], points=[points["逆定理"]])
    assert len(found) == 3 and all(r.prerequisite_of is None for r in found)

    # asking for the prerequisite itself as well: its resources are direct, not a fallback
    found = selectors.resources_for_knowledge_points(
        actor=a["student"], points=[points["逆定理"], points["勾股定理"]], few=10
    )
    assert {r.resource.pk: r.prerequisite_of for r in found}[pre.pk] is None


def test_only_published_resources_the_actor_may_see(region, points):
    a = region.accounts
    p = [points["勾股定理"]]
    school = res(region, "本校 微课", T.MICRO_LESSON, points=p)
    public = res(region, "公开 学案", T.LEARNING_PLAN, points=p, sharing=SharingScope.PUBLIC)
    make_resource(a["teacher"], title="草稿 微课", knowledge_points=p, sharing=SharingScope.PUBLIC)  # unpublished

    assert titles(selectors.resources_for_knowledge_points(actor=a["student"], points=p)) == ["本校 微课", "公开 学案"]
    other_school = selectors.resources_for_knowledge_points(actor=a["nobody"], points=p)  # 江岸区 teacher
    assert [r.resource for r in other_school] == [public]
    assert [r.resource for r in selectors.resources_for_knowledge_points(actor=a["parent"], points=p)] == [public]
    assert [r.resource for r in selectors.resources_for_knowledge_points(actor=None, points=p)] == [public]
    assert school.pk not in {r.resource.pk for r in other_school}


def test_bad_arguments_are_refused_in_chinese(region, points):
    a = region.accounts
    with pytest.raises(ZhijiaoError, match="条数"):
        selectors.resources_for_knowledge_points(actor=a["student"], points=[points["勾股定理"]], limit=0)
    with pytest.raises(ZhijiaoError, match="未知的资源类型"):
        selectors.resources_for_knowledge_points(actor=a["student"], points=[points["勾股定理"]], types=["movie"])
    with pytest.raises(ZhijiaoError, match="至少给出一个知识点"):
        selectors.resources_for_knowledge_points(actor=a["student"], points=[])
    assert selectors.resources_for_knowledge_points(actor=a["student"], points=[987654]) == []


def test_a_bounded_number_of_queries(region, points, django_assert_max_num_queries, django_assert_num_queries):
    a = region.accounts
    kinds = [T.MICRO_LESSON, T.ITEM, T.LEARNING_PLAN, T.LESSON_PLAN, T.PAPER]
    for i in range(15):
        r = res(region, f"资源{i}", kinds[i % 5], grade="13", points=[points["勾股定理"], points["逆定理"]])
        if i % 4 == 0:
            seen_by(a["student"], r)
    res(region, "内角和 微课", T.MICRO_LESSON, points=[points["三角形内角和"]])
    student = Account.objects.get(pk=a["student"].pk)  # nothing cached on the object
    # points, their prerequisites, grants, class → grade, school year, the class's school (visibility), candidates,
    # usage, rows: the same nine for 16 resources as for 1600
    with django_assert_max_num_queries(9):
        found = selectors.resources_for_knowledge_points(
            actor=student, points=[points["逆定理"], points["勾股定理"], points["三角形内角和"]], limit=12
        )
    assert len(found) == 12
    with django_assert_num_queries(0):
        for r in found:  # what the API reads of each
            _ = (r.resource.title, r.point.name, r.prerequisite_of, r.reason, r.resource.current_version.file.size)


def test_for_points_endpoint(region, points):
    a = region.accounts
    p = [points["逆定理"]]
    micro = res(region, "逆定理 微课", T.MICRO_LESSON, grade="22", points=p, value=50.5)
    fallback = res(region, "勾股定理 试题", T.ITEM, points=[points["勾股定理"]])
    plan = res(region, "逆定理 教案", T.LESSON_PLAN, points=p)
    client = Client()
    url = "/api/v1/resources/for-points"
    anonymous = client.get(url, {"points": str(points["逆定理"].pk)})
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "IDENTITY_AUTH_REQUIRED"

    _, raw = api_token_create(account=a["student"], name="精准教学", scopes=["resources:read"])
    bearer = {"Authorization": f"Bearer {raw}"}
    body = client.get(url, {"points": f"{points['逆定理'].pk}", "limit": "5"}, headers=bearer).json()
    # the point's own resources first (even a 教案), then its prerequisite's (it has fewer than three)
    assert [i["id"] for i in body["items"]] == [micro.pk, plan.pk, fallback.pk] and body["count"] == 3
    first, second = body["items"][0], body["items"][2]
    assert first["reason"] == "针对薄弱知识点「勾股定理的逆定理」的微课" and first["type_name"] == "微课"
    assert first["grade_name"] == "初二" and first["value_score"] == 50.5 and first["prerequisite_of"] is None
    assert first["url"] == f"/resources/{micro.pk}/" and first["download_url"].endswith(f"/{micro.pk}/download")
    assert second["point"]["name"] == "勾股定理" and second["prerequisite_of"]["name"] == "勾股定理的逆定理"
    # types by code or Chinese name
    only = client.get(url, {"points": str(points["逆定理"].pk), "type": "教案"}, headers=bearer).json()
    assert [i["type"] for i in only["items"]] == ["lesson_plan"]

    bad = client.get(url, {"points": "勾股定理"}, headers=bearer)
    assert bad.status_code == 400 and "知识点" in bad.json()["message"] and "整数" in bad.json()["message"]
    assert client.get(url, {"points": "1", "limit": "500"}, headers=bearer).status_code == 400
    assert client.get(url, {"points": "1", "grade": "九十年级"}, headers=bearer).json()["field"] == "年级"

    _, registry_only = api_token_create(account=a["student"], name="名册")
    assert client.get(url, {"points": "1"}, headers={"Authorization": f"Bearer {registry_only}"}).status_code == 403
    login_as(client, "student")  # a session works as well
    assert client.get(url, {"points": str(points["逆定理"].pk)}).json()["count"] == 3

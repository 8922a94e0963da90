from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from huey.contrib.djhuey import HUEY

from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.services import api_token_create
from zhijiao.resources.models import (
    Comment,
    Favourite,
    Rating,
    Resource,
    ResourceLevel,
    ResourceStatus,
    ResourceType,
    SharingScope,
    UsageEvent,
    UsageKind,
)
from zhijiao.resources.services import resource_review, resource_submit
from zhijiao.resources.tests.conftest import ORIGIN, make_published, make_resource
from zhijiao.resources.usage import (
    comment_add,
    comment_hide,
    favourite_toggle,
    rating_set,
    usage_record,
)
from zhijiao.resources.value import value_initial
from zhijiao.testing import login_as


def client_for(username: str) -> Client:
    client = Client()
    login_as(client, username)
    return client


def post(client: Client, url: str, body: dict | None = None, method: str = "post"):
    return getattr(client, method)(url, body or {}, content_type="application/json")


# ----------------------------------------------------------------------------- ratings
def test_rating_updates_on_second_try_and_keeps_the_average(region):
    a = region.accounts
    r = make_published(a)
    client = client_for("student")  # students rate what they see (本校)
    res = post(client, f"/api/v1/resources/{r.pk}/rating", {"score": 2})
    assert res.status_code == 200, res.content
    assert res.json() == {"score": 2, "rating_avg": 2.0, "rating_count": 1}
    post(client_for("principal"), f"/api/v1/resources/{r.pk}/rating", {"score": 5})
    res = post(client, f"/api/v1/resources/{r.pk}/rating", {"score": 4})  # changes, does not add
    assert res.json() == {"score": 4, "rating_avg": 4.5, "rating_count": 2}
    assert Rating.objects.filter(resource=r).count() == 2
    r.refresh_from_db()
    assert (r.rating_avg, r.rating_count) == (4.5, 2)


def test_rating_errors_invisible_unpublished_and_out_of_range(region):
    a = region.accounts
    r = make_published(a)  # 本校 of school A
    res = post(client_for("nobody"), f"/api/v1/resources/{r.pk}/rating", {"score": 5})  # school C
    assert res.status_code == 404
    res = post(client_for("student"), f"/api/v1/resources/{r.pk}/rating", {"score": 6})
    assert res.status_code == 400 and res.json()["message"] == "评分：评分应为 1 到 5 之间的整数"
    draft = make_resource(a["teacher"], title="草稿")
    res = post(client_for("teacher"), f"/api/v1/resources/{draft.pk}/rating", {"score": 5})
    assert res.status_code == 409 and "尚未发布" in res.json()["message"]
    res = post(client_for("teacher"), f"/api/v1/resources/{r.pk}/rating", {"score": 5})  # the author
    assert res.status_code == 403 and res.json()["message"] == "不能给自己上传的资源评分"
    assert not Rating.objects.exists()
    assert Client().post(f"/api/v1/resources/{r.pk}/rating", {"score": 5}, "application/json").status_code == 401


def test_bearer_tokens_need_resources_write_to_rate(region):
    a = region.accounts
    r = make_published(a)
    _, reader = api_token_create(account=a["student"], name="只读", scopes=["resources:read"])
    _, writer = api_token_create(account=a["student"], name="读写", scopes=["resources:read", "resources:write"])
    client, url = Client(), f"/api/v1/resources/{r.pk}/rating"
    res = client.post(url, {"score": 4}, "application/json", headers={"Authorization": f"Bearer {reader}"})
    assert res.status_code == 403 and "resources:write" in res.json()["message"]
    comments = client.get(f"/api/v1/resources/{r.pk}/comments", headers={"Authorization": f"Bearer {reader}"})
    assert comments.status_code == 200  # reading needs resources:read only
    res = client.post(url, {"score": 4}, "application/json", headers={"Authorization": f"Bearer {writer}"})
    assert res.status_code == 200 and res.json()["rating_count"] == 1


def test_parent_rates_and_favourites_a_public_resource(region):
    a = region.accounts
    r = make_published(a, sharing=SharingScope.PUBLIC)
    rating_set(actor=a["parent"], resource=r, score=5)
    assert favourite_toggle(actor=a["parent"], resource=r) is True
    assert Resource.objects.get(pk=r.pk).favourite_count == 1


# ----------------------------------------------------------------------------- comments
def test_comments_length_list_and_hiding(region):
    a = region.accounts
    r = make_published(a)
    student = client_for("student")
    url = f"/api/v1/resources/{r.pk}/comments"
    res = post(student, url, {"body": "  讲得很清楚，学生一看就懂。  "})
    assert res.status_code == 201 and res.json()["body"] == "讲得很清楚，学生一看就懂。"
    assert res.json()["author"] == "学生s1"
    res = post(student, url, {"body": "好" * 501})
    assert res.status_code == 400 and res.json()["message"] == "评论：评论不能超过 500 字（当前 501 字）"
    assert post(student, url, {"body": "   "}).json()["message"] == "评论：评论内容不能为空"
    rude = comment_add(actor=a["student"], resource=r, body="不当言论")
    assert [c["body"] for c in student.get(url).json()["items"]] == ["不当言论", "讲得很清楚，学生一看就懂。"]

    hide = f"{url}/{rude.pk}/hide"
    assert post(student, hide, {"hidden": True}).status_code == 403  # students do not moderate
    assert post(client_for("nobody"), hide, {"hidden": True}).status_code == 404  # cannot see the resource
    res = post(client_for("principal"), hide, {"hidden": True})  # the owning school's administrator
    assert res.status_code == 200 and res.json()["hidden"] is True
    assert AuditEvent.objects.filter(action="resource.comment_hide", target_id=str(rude.pk)).count() == 1
    assert [c["body"] for c in student.get(url).json()["items"]] == ["讲得很清楚，学生一看就懂。"]
    # the author sees hidden ones (marked) and may show them again
    assert len(client_for("teacher").get(url).json()["items"]) == 2
    comment_hide(actor=a["teacher"], comment_id=rude.pk, hidden=False, origin=ORIGIN)
    assert Comment.objects.get(pk=rude.pk).hidden is False
    with pytest.raises(ZhijiaoError):
        comment_hide(actor=a["bureau"], comment_id=rude.pk, origin=ORIGIN, resource_id=r.pk + 1)


# ----------------------------------------------------------------------------- favourites
def test_favourite_add_remove_and_list(region):
    a = region.accounts
    r = make_published(a, title="一元二次方程 教案", type=ResourceType.LESSON_PLAN)
    other = make_published(a, title="勾股定理 微课")
    client = client_for("head")
    assert post(client, f"/api/v1/resources/{r.pk}/favourite").json() == {"favourite": True, "favourite_count": 1}
    assert post(client, f"/api/v1/resources/{r.pk}/favourite").json() == {"favourite": True, "favourite_count": 1}
    post(client, f"/api/v1/resources/{other.pk}/favourite")
    body = client.get("/api/v1/resources/favourites").json()
    assert [i["id"] for i in body["items"]] == [other.pk, r.pk] and body["count"] == 2
    assert body["items"][1]["favourite_count"] == 1 and {"level", "rating_avg", "value_score"} <= set(body["items"][1])
    page = client.get("/resources/favourites/")
    assert page.status_code == 200 and "一元二次方程 教案" in page.content.decode()
    res = post(client, f"/api/v1/resources/{r.pk}/favourite", method="delete")
    assert res.json() == {"favourite": False, "favourite_count": 0}
    assert [i["id"] for i in client.get("/api/v1/resources/favourites").json()["items"]] == [other.pk]
    # a favourite that is no longer visible drops out of the list
    Resource.objects.filter(pk=other.pk).update(status=ResourceStatus.RETURNED)
    assert client.get("/api/v1/resources/favourites").json()["items"] == []
    assert Favourite.objects.count() == 1


# ----------------------------------------------------------------------------- usage events
def test_play_upsert_keeps_the_furthest_progress(region):
    a = region.accounts
    r = make_published(a, type=ResourceType.VIDEO)
    client = client_for("student")
    url = f"/api/v1/resources/{r.pk}/events"
    for progress in (0.1, 0.62, 0.4, 0.9, 0.85):
        res = post(client, url, {"kind": "play", "play_id": "a1b2c3", "progress": progress})
        assert res.status_code == 200, res.content
    assert res.json() == {"recorded": True, "kind": "play", "progress": 0.9}
    post(client, url, {"kind": "play", "play_id": "d4e5f6", "progress": 0.2})
    plays = dict(UsageEvent.objects.filter(resource=r, kind=UsageKind.PLAY).values_list("play_id", "progress"))
    assert plays == {"a1b2c3": 0.9, "d4e5f6": 0.2}
    assert Resource.objects.get(pk=r.pk).play_count == 2
    # someone else's play id, bad progress, bad kind
    assert post(client_for("principal"), url, {"kind": "play", "play_id": "a1b2c3", "progress": 1}).status_code == 409
    res = post(client, url, {"kind": "play", "play_id": "a1b2c3", "progress": 1.5})
    assert res.status_code == 400 and "播放进度" in res.json()["message"]
    assert post(client, url, {"kind": "play", "play_id": "", "progress": 0.5}).status_code == 400
    assert post(client, url, {"kind": "like"}).status_code == 400


def test_views_are_deduplicated_for_30_minutes(region):
    a = region.accounts
    r = make_published(a)
    assert usage_record(actor=a["student"], resource=r, kind=UsageKind.VIEW) is not None
    assert usage_record(actor=a["student"], resource=r, kind=UsageKind.VIEW) is None
    assert usage_record(actor=a["principal"], resource=r, kind=UsageKind.VIEW) is not None
    UsageEvent.objects.filter(account=a["student"]).update(
        at=UsageEvent.objects.get(account=a["student"]).at - timedelta(minutes=31)
    )
    assert usage_record(actor=a["student"], resource=r, kind=UsageKind.VIEW) is not None
    assert Resource.objects.get(pk=r.pk).view_count == 3
    # anonymous visitors of the public portal, by visitor key
    assert usage_record(actor=None, resource=r, kind=UsageKind.VIEW, visitor="s1") is not None
    assert usage_record(actor=None, resource=r, kind=UsageKind.VIEW, visitor="s1") is None


def test_detail_page_records_a_view_and_shows_the_use_panel(region):
    a = region.accounts
    r = make_published(a)
    rating_set(actor=a["principal"], resource=r, score=4)
    comment_add(actor=a["principal"], resource=r, body="适合第一课时导入。")
    client = client_for("student")
    html = client.get(f"/resources/{r.pk}/").content.decode()
    assert "价值分" in html and "（等级 30% + 评价 40% + 有效使用 30%）" in html
    assert "适合第一课时导入。" in html and 'data-role="count">1</span> 人评分' in html and "resources/use.js" in html
    client.get(f"/resources/{r.pk}/")
    assert UsageEvent.objects.filter(resource=r, kind=UsageKind.VIEW).count() == 1
    # form posts work without JavaScript
    client.post(f"/resources/{r.pk}/rate/", {"score": "5"})
    client.post(f"/resources/{r.pk}/favourite/")
    client.post(f"/resources/{r.pk}/comments/", {"body": "谢谢分享"})
    assert Rating.objects.get(resource=r, account=a["student"]).score == 5
    assert Favourite.objects.filter(resource=r, account=a["student"]).exists()
    assert Comment.objects.filter(resource=r, body="谢谢分享").exists()
    # a draft has no use panel and records nothing
    draft = make_resource(a["teacher"], title="草稿")
    assert "价值分" not in client_for("teacher").get(f"/resources/{draft.pk}/").content.decode()
    assert not UsageEvent.objects.filter(resource=draft).exists()


def test_downloads_count_once_not_ranges_nor_inline(region):
    a = region.accounts
    r = make_published(a)
    client = client_for("student")
    assert client.get(f"/resources/{r.pk}/download/").status_code == 200
    assert client.get(f"/resources/{r.pk}/download/", headers={"Range": "bytes=10-"}).status_code == 206
    assert client.get(f"/resources/{r.pk}/download/?inline=1").status_code == 200
    assert UsageEvent.objects.filter(resource=r, kind=UsageKind.DOWNLOAD).count() == 1
    assert Resource.objects.get(pk=r.pk).download_count == 1


# ----------------------------------------------------------------------------- level and the value job
def test_second_review_sets_the_level_and_a_first_value(region):
    a = region.accounts
    r = make_resource(a["teacher"], title="圆周角定理 课件", type=ResourceType.COURSEWARE)
    resource_submit(actor=a["teacher"], resource=r, origin=ORIGIN)
    resource_review(actor=a["principal"], resource=r, approve=True, level="excellent", origin=ORIGIN)  # 一审: ignored
    assert Resource.objects.get(pk=r.pk).level == ""
    with pytest.raises(ZhijiaoError) as exc:
        resource_review(actor=a["bureau"], resource=r, approve=True, level="gold", origin=ORIGIN)
    assert exc.value.message == "等级：等级应为 合格、优秀、精品 或 未评定"
    done = resource_review(actor=a["bureau"], resource=r, approve=True, level=ResourceLevel.EXCELLENT, origin=ORIGIN)
    assert done.level == ResourceLevel.EXCELLENT and done.status == ResourceStatus.PUBLISHED
    assert Resource.objects.get(pk=r.pk).value_score == value_initial(level="excellent", type="courseware") == 70.0


def test_review_form_posts_the_level(region):
    a = region.accounts
    r = make_resource(a["teacher"], title="圆周角定理 课件", type=ResourceType.COURSEWARE)
    resource_submit(actor=a["teacher"], resource=r, origin=ORIGIN)
    resource_review(actor=a["principal"], resource=r, approve=True, origin=ORIGIN)
    client = client_for("bureau")
    assert 'name="level"' in client.get("/resources/review/").content.decode()
    client.post(f"/resources/{r.pk}/review/", {"decision": "approve", "level": "good"})
    assert Resource.objects.get(pk=r.pk).level == ResourceLevel.GOOD


def test_enough_events_trigger_the_value_job(
    region, settings, monkeypatch, django_capture_on_commit_callbacks, tmp_path
):
    settings.ZHIJIAO_VALUE_EVERY_EVENTS = 1
    settings.ZHIJIAO_SEARCH_DIR = tmp_path / "search"
    monkeypatch.setattr(HUEY, "immediate", True)
    a = region.accounts
    r = make_published(a)
    with django_capture_on_commit_callbacks(execute=True):
        usage_record(actor=a["student"], resource=r, kind=UsageKind.DOWNLOAD)
    assert Resource.objects.get(pk=r.pk).value_computed_at is not None


def test_command(region, capsys, settings, tmp_path):
    settings.ZHIJIAO_SEARCH_DIR = tmp_path / "search"
    a = region.accounts
    r = make_published(a)
    rating_set(actor=a["student"], resource=r, score=5)
    call_command("resources_value")
    assert "价值分已重新计算：1 条已发布资源，其中 1 条有变化" in capsys.readouterr().out
    call_command("resources_value", "--no-index")
    assert "其中 0 条有变化" in capsys.readouterr().out

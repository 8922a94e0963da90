from __future__ import annotations

import pytest

from zhijiao.spaces.models import Notice, NoticeReceipt
from zhijiao.testing import login_as


# ------------------------------------------------------------------ API contract
def test_api_list_and_read(client, region, class_notice):
    login_as(client, "parent")
    body = client.get("/api/v1/notices").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == class_notice.pk and item["read"] is False and item["needs_confirm"] is True
    assert set(item) >= {"title", "body", "sender", "published_at", "read_at", "confirmed", "deadline"}
    first = client.post(f"/api/v1/notices/{class_notice.pk}/read")
    assert first.status_code == 200 and first.json()["read"] is True
    second = client.post(f"/api/v1/notices/{class_notice.pk}/read")
    assert second.json()["read_at"] == first.json()["read_at"]  # idempotent
    assert client.get("/api/v1/notices?unread=true").json()["count"] == 0


def test_api_not_addressed_is_404(client, region, class_notice):
    login_as(client, "student")
    assert client.get("/api/v1/notices").json()["count"] == 0
    r = client.post(f"/api/v1/notices/{class_notice.pk}/read")
    assert r.status_code == 404 and r.json()["code"] == "CORE_NOT_FOUND"
    assert client.post("/api/v1/notices/99999/read").status_code == 404


def test_api_confirm(client, region, class_notice):
    login_as(client, "parent")
    r = client.post(f"/api/v1/notices/{class_notice.pk}/confirm", {"reply": "收到"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["confirmed"] is True and r.json()["reply"] == "收到"


def test_api_needs_sign_in(client, region, class_notice):
    assert client.get("/api/v1/notices").status_code == 401


# ------------------------------------------------------------------ pages
def test_space_home_recipient(client, region, class_notice):
    login_as(client, "parent")
    page = client.get("/space/").content.decode()
    assert "春游通知" in page and "未读" in page and "发通知" not in page


def test_notice_page_marks_read_and_escapes(client, region, class_notice):
    login_as(client, "parent")
    page = client.get(f"/space/notices/{class_notice.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "确认收到" in page and "阅读情况" not in page  # a recipient sees no read rate
    assert NoticeReceipt.objects.get(notice=class_notice).read_at is not None
    r = client.post(f"/space/notices/{class_notice.pk}/confirm/", {"reply": "好的"})
    assert r.status_code == 302
    assert NoticeReceipt.objects.get(notice=class_notice).confirmed_at is not None


def test_sender_sees_read_rate_and_reminds(client, region, class_notice):
    login_as(client, "teacher")
    home = client.get("/space/").content.decode()
    assert "发通知" in home and "我发出的通知" in home and "0 / 1 已读" in home
    page = client.get(f"/space/notices/{class_notice.pk}/").content.decode()
    assert "阅读情况" in page and "陈**" in page and "陈妈妈" not in page and "提醒未读" in page
    assert client.post(f"/space/notices/{class_notice.pk}/remind/").status_code == 302


@pytest.mark.parametrize("who", ["head", "student", "inspector", "nobody"])
def test_others_get_404(client, region, class_notice, who):
    login_as(client, who)
    assert client.get(f"/space/notices/{class_notice.pk}/").status_code == 404
    assert client.post(f"/space/notices/{class_notice.pk}/remind/").status_code == 404


def test_send_form(client, region):
    login_as(client, "teacher")
    page = client.get("/space/notices/new/").content.decode()
    a1 = region.classes["A1"].pk
    assert f'value="class:{a1}"' in page and f'value="class:{region.classes["B1"].pk}"' not in page
    r = client.post(
        "/space/notices/new/",
        {"target": f"class:{a1}", "recipients": "guardians", "title": "家长会", "body": "周六上午家长会"},
    )
    assert r.status_code == 302
    assert Notice.objects.get(title="家长会").recipient_count == 1
    refused = client.post(
        "/space/notices/new/", {"target": f"class:{region.classes['B1'].pk}", "title": "x", "body": "y"}
    )
    assert refused.status_code == 403
    empty = client.post("/space/notices/new/", {"target": f"class:{a1}", "title": "", "body": "y"})
    assert empty.status_code == 400 and "请填写通知标题" in empty.content.decode()
    assert f'value="class:{a1}" selected' in empty.content.decode()  # the form keeps what was picked


def test_send_form_not_for_parents(client, region):
    login_as(client, "parent")
    assert client.get("/space/notices/new/").status_code == 404


def test_api_unread_first(client, region, class_notice):
    from zhijiao.spaces import services

    later = services.notice_send(
        actor=region.accounts["teacher"],
        title="家长会",
        body="周六",
        audience_kind="class",
        node_id=region.classes["A1"].pk,
    )
    login_as(client, "parent")
    client.post(f"/api/v1/notices/{later.pk}/read")
    ids = [item["id"] for item in client.get("/api/v1/notices").json()["items"]]
    assert ids == [class_notice.pk, later.pk]  # the unread one first, though older

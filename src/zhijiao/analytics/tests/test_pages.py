"""The statistics overview page: the same panels at each level, drill-down links, scope."""

from __future__ import annotations

from datetime import date

import pytest

from zhijiao.analytics import tasks
from zhijiao.analytics.services import snapshot_take
from zhijiao.testing import login_as


@pytest.fixture
def snapshot(region):
    return snapshot_take(day=date(2026, 11, 20))


def test_a_district_admin_drills_down_from_the_district_to_a_school(client, region, snapshot):
    login_as(client, "bureau")
    page = client.get("/analytics/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "东西湖区" in html and "数据截至 2026-11-20 快照" in html
    assert 'href="/analytics/3420112001/"' in html and 'href="/analytics/3420112002/"' in html
    assert "江岸区实验小学" not in html
    assert page.context["figures"]["students"] == 4
    assert [c["code"] for c in page.context["children"]] == ["3420112001", "3420112002"]
    assert 'href="/analytics/"' in html  # the nav entry

    school = client.get("/analytics/3420112001/")
    assert school.status_code == 200
    assert [(g["grade_name"], g["classes"], g["students"]) for g in school.context["grades"]] == [("三年级", 2, 3)]
    assert [label for label, _ in school.context["breadcrumbs"]] == [
        "统计分析",
        "湖北省",
        "武汉市",
        "东西湖区",
        "东西湖区第一小学",
    ]
    assert client.get("/analytics/420102/").status_code == 404


def test_a_school_admin_sees_only_their_school(client, region, snapshot):
    login_as(client, "principal")
    page = client.get("/analytics/")
    assert page.status_code == 200
    assert page.context["node"]["code"] == "3420112001"
    assert client.get("/analytics/3420112002/").status_code == 404
    assert client.get("/analytics/420112/").status_code == 404


def test_teachers_have_no_statistics_page(client, region, snapshot):
    login_as(client, "teacher")
    response = client.get("/analytics/")
    assert response.status_code == 403
    assert 'href="/analytics/"' not in client.get("/").content.decode()


def test_without_a_snapshot_the_page_says_the_figures_are_being_made(client, region, monkeypatch):
    # issue 12: users are no longer told an operator's command; the page queues a snapshot (test_pending.py)
    monkeypatch.setattr(tasks, "snapshot_when_missing", lambda: True)
    login_as(client, "admin")
    response = client.get("/analytics/")
    assert response.status_code == 503
    assert "统计数据正在生成，请稍后刷新" in response.content.decode()
    assert "zhijiao analytics snapshot" not in response.content.decode()


def test_breadcrumbs_link_only_the_levels_the_reader_may_open(client, region, snapshot):
    # ancestors outside the reader's scope answer 404, so they are shown as plain text, not as links
    login_as(client, "bureau")
    school = client.get("/analytics/3420112001/")
    assert school.context["breadcrumbs"] == [
        ("统计分析", "/analytics/"),
        ("湖北省", None),
        ("武汉市", None),
        ("东西湖区", "/analytics/420112/"),
        ("东西湖区第一小学", None),
    ]
    html = school.content.decode()
    assert 'href="/analytics/42/"' not in html and 'href="/analytics/4201/"' not in html
    for _label, url in school.context["breadcrumbs"]:
        if url:
            assert client.get(url).status_code == 200

    login_as(client, "principal")
    grade = client.get("/analytics/3420112001/grade/13/")
    assert grade.context["breadcrumbs"] == [
        ("统计分析", "/analytics/"),
        ("湖北省", None),
        ("武汉市", None),
        ("东西湖区", None),
        ("东西湖区第一小学", "/analytics/3420112001/"),
        ("三年级", None),
    ]

    login_as(client, "admin")
    crumbs = client.get("/analytics/3420112001/").context["breadcrumbs"]
    assert [url for _label, url in crumbs] == [
        "/analytics/",
        "/analytics/42/",
        "/analytics/4201/",
        "/analytics/420112/",
        None,
    ]

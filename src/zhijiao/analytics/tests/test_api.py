"""/api/v1/analytics: figures agree with the registry API for the same actor, and stay inside the actor's scope."""

from __future__ import annotations

from datetime import date

import pytest

from zhijiao.analytics.services import snapshot_take
from zhijiao.testing import login_as

URL = "/api/v1/analytics/metrics"


@pytest.fixture
def snapshot(region):
    return snapshot_take(day=date(2026, 11, 20))


def registry_count(client, path: str, **params) -> int:
    response = client.get(f"/api/v1/{path}", params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


@pytest.mark.parametrize(
    ("username", "node", "school"),
    [
        ("admin", "", None),
        ("city", "4201", None),
        ("bureau", "420112", None),
        ("inspector", "420112", None),
        ("principal", "3420112001", "A"),
    ],
)
def test_totals_agree_with_the_registry_api(client, region, snapshot, username, node, school):
    login_as(client, username)
    response = client.get(URL, {"node": node})
    assert response.status_code == 200, response.content
    figures = response.json()
    params = {"school_id": region.schools[school].pk} if school else {}
    assert figures["students"] == registry_count(client, "students", **params)
    assert figures["staff"] + figures["bureau_staff"] == registry_count(client, "staff", **params)
    assert figures["classes"] == registry_count(client, "classes", **params)
    assert figures["schools"] == (1 if school else registry_count(client, "schools"))


def test_the_default_node_is_the_actors_own(client, region, snapshot):
    login_as(client, "principal")
    figures = client.get(URL).json()
    assert figures["node"]["code"] == "3420112001"
    assert [p["name"] for p in figures["node"]["path"]] == ["湖北省", "武汉市", "东西湖区", "东西湖区第一小学"]
    assert (figures["students"], figures["classes"], figures["staff"], figures["teachers"]) == (3, 2, 3, 2)
    assert figures["student_staff_ratio"] == 1.0
    assert figures["by_stage"][0]["stage_name"] == "小学"
    login_as(client, "bureau")
    assert client.get(URL).json()["node"]["code"] == "420112"
    login_as(client, "admin")  # the platform opens where its schools are: both districts are in 武汉市
    assert client.get(URL).json()["node"]["code"] == "4201"


def test_a_school_admin_cannot_read_another_schools_figures(client, region, snapshot):
    login_as(client, "principal")
    for node in ("3420112002", "3420102001", "420112", "4201", "9999999999"):
        response = client.get(URL, {"node": node})
        assert response.status_code == 404, node
        assert response.json()["message"] == "记录不存在或无权查看"
        assert client.get(f"{URL}/class_sizes", {"node": node}).status_code == 404
    assert client.get(URL, {"node": "3420112001"}).status_code == 200


def test_a_district_admin_stays_in_the_district(client, region, snapshot):
    login_as(client, "bureau")
    assert client.get(URL, {"node": "3420112002"}).status_code == 200
    assert client.get(URL, {"node": "3420102001"}).status_code == 404  # 江岸区
    assert client.get(URL, {"node": "420102"}).status_code == 404
    assert client.get(URL, {"node": "4201"}).status_code == 404  # above the grant


def test_roles_without_statistics_are_refused(client, region, snapshot):
    for username in ("teacher", "student", "parent"):
        login_as(client, username)
        response = client.get(URL, {"node": "3420112001"})
        assert response.status_code == 403, username
        assert "没有查看统计分析的权限" in response.json()["message"]
    client.logout()
    assert client.get(URL).status_code == 401


def test_bad_nodes_and_metrics(client, region, snapshot):
    login_as(client, "admin")
    response = client.get(URL, {"node": "42011"})
    assert response.status_code == 400
    assert "行政区划代码" in response.json()["message"]
    assert client.get(f"{URL}/no_such_metric").status_code == 404


def test_without_a_snapshot_the_operator_is_told_what_to_run(client, region):
    login_as(client, "admin")
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["code"] == "ANALYTICS_NO_SNAPSHOT"
    assert "zhijiao analytics snapshot" in response.json()["message"]


def test_metric_rows_carry_code_names(client, region, snapshot):
    login_as(client, "bureau")
    data = client.get(f"{URL}/schools_by_type", {"node": "420112"}).json()
    assert data["title"] == "学校（按办学类型）"
    # school B was registered as "小学", which the registry stores as the category code 21
    assert [(r["school_type"], r["school_type_name"], r["schools"]) for r in data["rows"]] == [
        ("21", "小学", 1),
        ("211", "小学", 1),
    ]
    staffing = client.get(f"{URL}/school_staffing", {"node": "420112"}).json()["rows"]
    assert [(r["school_code"], r["students"], r["staff"]) for r in staffing] == [
        ("3420112001", 3, 3),
        ("3420112002", 1, 1),
    ]
    trend = client.get(f"{URL}/trend", {"node": "420112"}).json()
    assert [(r["snapshot_date"], r["students"]) for r in trend["rows"]] == [("2026-11-20", 4)]
    listing = client.get("/api/v1/analytics/snapshots").json()
    assert [s["date"] for s in listing] == ["2026-11-20"]

from __future__ import annotations

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.identity.services import api_token_create
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, region):
    def login(username: str):
        login_as(client, region.accounts[username])
        return client

    return login


def test_student_list_is_scoped_paginated_and_masked(as_user, region):
    body = as_user("teacher").get("/api/v1/students").json()
    assert body["count"] == 2
    assert {row["name"] for row in body["items"]} == {"学生s1", "学生s2"}
    for row in body["items"]:
        assert "**********" in row["id_number"]
        assert "*" in row["student_no"]


def test_out_of_scope_student_gives_404(as_user, region):
    response = as_user("teacher").get(f"/api/v1/students/{region.students['s3'].pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "CORE_NOT_FOUND"
    assert as_user("teacher").get("/api/v1/students/999999").status_code == 404


def test_teacher_detail_masked_school_admin_unmasked_and_audited(as_user, region):
    s1 = region.students["s1"]
    masked = as_user("teacher").get(f"/api/v1/students/{s1.pk}").json()
    assert masked["masked"] is True
    assert masked["id_number"] != region.persons["s1"].id_number
    assert not AuditEvent.objects.filter(action="person.view_pii").exists()

    clear = as_user("principal").get(f"/api/v1/students/{s1.pk}", HTTP_USER_AGENT="pytest-agent").json()
    assert clear["id_number"] == region.persons["s1"].id_number
    assert clear["guardians"][0]["phone"] == "13800001111"
    event = AuditEvent.objects.get(action="person.view_pii")
    assert (event.actor_username, event.channel, event.user_agent) == ("principal", "api", "pytest-agent")


def test_bearer_token_acts_as_its_account(client, region):
    _, raw = api_token_create(account=region.accounts["bureau"], name="数据交换")
    body = client.get("/api/v1/schools", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert {s["code"] for s in body["items"]} == {"3420112001", "3420112002"}
    assert client.get("/api/v1/schools", HTTP_AUTHORIZATION="Bearer zj_wrong").status_code == 401


def test_anonymous_is_refused(client, region):
    assert client.get("/api/v1/students").status_code == 401


@pytest.mark.parametrize(("username", "count"), [("parent", 2), ("student", 1), ("head", 1), ("bureau", 4)])
def test_each_role_lists_its_students(as_user, username, count):
    assert as_user(username).get("/api/v1/students").json()["count"] == count


def test_classes_and_staff_endpoints(as_user, region):
    classes = as_user("principal").get("/api/v1/classes").json()
    assert classes["count"] == 2
    assert classes["items"][0]["name"].endswith("班")
    staff = as_user("principal").get("/api/v1/staff").json()
    assert staff["count"] == 3
    detail = as_user("principal").get(f"/api/v1/staff/{region.staff['head'].pk}").json()
    assert detail["phone"] == "13900000000" and detail["masked"] is False
    assert as_user("bureau").get(f"/api/v1/classes/{region.classes['C1'].pk}").status_code == 404


def test_openapi_schema_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/students/{student_id}" in schema["paths"]


@pytest.mark.parametrize("username", ["head", "student", "parent", "admin", "bureau", "teacher"])
def test_lists_name_each_record_once(as_user, region, username):
    """issue 12: a 班主任 (head teacher of one class, teacher at its school) got each colleague once per class of
    the school (637 rows for 49 people), from a join on the school's classes OR-ed with the school grant."""
    client = as_user(username)
    for path in ("/api/v1/staff", "/api/v1/schools", "/api/v1/classes", "/api/v1/students"):
        body = client.get(path, {"page_size": 100}).json()
        ids = [row["id"] for row in body["items"]]
        assert len(ids) == len(set(ids)) == body["count"], (username, path, ids)
    if username == "head":
        names = {row["name"] for row in client.get("/api/v1/staff").json()["items"]}
        assert names == {"王老师", "李老师", "张校长"}

"""The pages as a browser meets them: sign-in, the role-aware home, drill-down, rosters and profiles."""

from __future__ import annotations

import pytest

from zhijiao.audit.models import AuditEvent
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db


def login(client, region, username):
    # Signing in through the form, both steps, is tested in identity/tests/test_twofactor.py.
    client.logout()
    login_as(client, username)
    return client


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_login_page_is_chinese_and_self_hosted(client):
    html = client.get("/accounts/login/").content.decode()
    assert "登录" in html and 'lang="zh-CN"' in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_wrong_password_is_refused_and_audited(client, region):
    response = client.post("/accounts/login/", {"username": "teacher", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode() or "不正确" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed", target_label="teacher").exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get("/students/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "username", ["admin", "bureau", "city", "inspector", "principal", "head", "teacher", "student", "parent"]
)
def test_every_role_gets_a_home_page(client, region, username):
    login(client, region, username)
    response = client.get("/")
    assert response.status_code == 200
    assert "退出" in response.content.decode()


def test_region_drill_down(client, region, settings, tmp_path, request):
    # issue 12: the 区域概览 dashboard's figures belong to 统计分析 alone; its old links land there, scope intact
    from zhijiao.analytics.engine import engine
    from zhijiao.analytics.services import snapshot_take

    settings.ZHIJIAO_WAREHOUSE_DIR = tmp_path / "warehouse"
    engine().forget()
    request.addfinalizer(engine().forget)
    snapshot_take()
    login(client, region, "city")
    assert client.get("/region/4201/")["Location"] == "/analytics/4201/"
    city = client.get("/region/4201/", follow=True).content.decode()
    assert "东西湖区" in city and "江岸区" in city
    county = client.get("/region/420112/", follow=True).content.decode()
    assert "东西湖区第一小学" in county and "江岸区实验小学" not in county
    login(client, region, "bureau")
    assert client.get("/region/420102/", follow=True).status_code == 404


def test_bureau_home_is_a_desk_without_figures(client, region):
    """One place owns the figures (统计分析); the home page shows what waits and the way there, no counts that
    could disagree with it."""
    login(client, region, "bureau")
    html = client.get("/").content.decode()
    assert "查看统计分析" in html and 'href="/analytics/"' in html
    assert "大班额班级" not in html and "在读学生" not in html and "region-chart" not in html
    assert "区域概览" not in html  # not in the menu either


def test_school_and_class_pages(client, region):
    login(client, region, "principal")
    school = client.get(f"/schools/{region.schools['A'].pk}/").content.decode()
    assert "3420112001" in school and "（1）班" in school
    roster = client.get(f"/classes/{region.classes['A1'].pk}/").content.decode()
    assert "学生s1" in roster and "学生s3" not in roster
    assert client.get(f"/schools/{region.schools['B'].pk}/").status_code == 404


def test_teacher_profile_view_is_masked(client, region):
    login(client, region, "teacher")
    html = client.get(f"/students/{region.students['s1'].pk}/").content.decode()
    assert region.persons["s1"].id_number not in html
    assert "脱敏" in html
    assert client.get(f"/students/{region.students['s3'].pk}/").status_code == 404


def test_school_admin_profile_view_is_unmasked_and_audited(client, region):
    login(client, region, "principal")
    html = client.get(f"/students/{region.students['s1'].pk}/").content.decode()
    assert region.persons["s1"].id_number in html
    assert AuditEvent.objects.filter(action="person.view_pii", actor_username="principal", channel="web").exists()


def test_lists_search_and_paginate(client, region):
    login(client, region, "admin")
    html = client.get("/students/", {"q": "s4"}).content.decode()
    assert "学生s4" in html and "学生s1" not in html
    assert client.get("/staff/", {"q": "王"}).status_code == 200
    assert client.get("/schools/", {"type": "211"}).status_code == 200
    assert client.get("/classes/", {"oversized": "1"}).status_code == 200
    assert client.get("/audit/").status_code == 200


def test_audit_log_is_for_platform_admins_only(client, region):
    login(client, region, "principal")
    assert client.get("/audit/").status_code == 403


def test_logout(client, region):
    login(client, region, "teacher")
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_styleguide_renders(client, region):
    login(client, region, "teacher")
    assert "班级" in client.get("/styleguide/").content.decode()

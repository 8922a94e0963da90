"""The catalogue and quality pages as a browser meets them."""

from __future__ import annotations

import pytest

from zhijiao.catalogue.services import quality_refresh
from zhijiao.testing import login_as

pytestmark = pytest.mark.django_db


def login(client, username):
    client.logout()
    login_as(client, username)
    return client


@pytest.fixture
def scored(region, school_a):
    quality_refresh()
    return region


def test_catalogue_list(client, scored):
    html = login(client, "bureau").get("/catalogue/").content.decode()
    assert "数据资源目录" in html and "学生基本信息" in html
    assert "有条件共享" in html and "无条件共享" in html and "不予共享" in html
    assert "每月" in html and "score-pill" in html
    assert 'href="/catalogue/"' in html and 'href="/quality/"' in html  # navigation


def test_dataset_detail_lists_items_and_codes(client, scored):
    html = login(client, "bureau").get("/catalogue/students/").content.decode()
    assert "数据项" in html and "户口所在地" in html and "JY/T 1002" in html
    assert "汉族" in html and "民族 (GB/T 3304)" in html  # the code table, listed in place
    assert "各学校数据质量" in html and "东西湖区第一小学" in html and "江岸区实验小学" not in html


def test_quality_page(client, scored):
    client = login(client, "bureau")
    html = client.get("/quality/").content.decode()
    assert "数据质量" in html and "完整性" in html and "有效性" in html and "及时性" in html
    assert "评分口径" in html and "vendor/echarts.min.js" in html
    assert "东西湖区第二小学" in html and "江岸区实验小学" not in html
    assert client.get("/quality/?dataset=students").status_code == 200
    assert client.get("/quality/?dataset=bogus&page=9").status_code == 200


def test_quality_page_before_any_scoring(client, region):
    html = login(client, "inspector").get("/quality/").content.decode()
    assert "还没有数据质量评分" in html


def test_school_admin_sees_own_school_only(client, scored):
    html = login(client, "principal").get("/quality/").content.decode()
    assert "东西湖区第一小学" in html and "东西湖区第二小学" not in html


@pytest.mark.parametrize("username", ["teacher", "parent"])
def test_teachers_and_parents_are_refused(client, scored, username):
    client = login(client, username)
    assert client.get("/catalogue/").status_code == 403
    assert client.get("/catalogue/students/").status_code == 403
    assert client.get("/quality/").status_code == 403
    assert 'href="/quality/"' not in client.get("/").content.decode()


def test_unknown_dataset_is_404(client, scored):
    assert login(client, "bureau").get("/catalogue/nope/").status_code == 404


def test_the_catalogue_speaks_chinese_not_field_names(client, scored):
    # internal field keys (address, hukou_place) are not shown; standards are named in words, their codes secondary
    client = login(client, "bureau")
    html = client.get("/catalogue/students/").content.decode()
    assert "学生基本数据" in html and "行政区划代码" not in html and "民族名称代码" in html
    assert "标准代码" in html and "JY/T 1002 XSJBSJ" in html
    for key in ("hukou_place", "study_mode", "guardian_phone", ">address<", ">students<"):
        assert key not in html
    listing = client.get("/catalogue/").content.decode()
    assert ">students<" not in listing and ">guardians<" not in listing

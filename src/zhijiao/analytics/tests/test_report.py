"""The printable report of a node, and the grade level of the drill-down."""

from __future__ import annotations

import re
from datetime import date

import pytest

from zhijiao.analytics.services import snapshot_take
from zhijiao.testing import login_as


@pytest.fixture
def snapshot(region):
    return snapshot_take(day=date(2026, 11, 20))


def test_the_report_of_a_district_has_its_figures_tables_and_charts(client, region, snapshot):
    login_as(client, "bureau")
    response = client.get("/analytics/420112/report/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="report-title">东西湖区</h1>' in html
    assert "2026-11-20 快照" in html and "生成时间" in html
    assert "湖北省 / 武汉市 / 东西湖区" in html
    assert "data-print" in html and "打印" in html
    for chart in ("chart-stages", "chart-bands", "chart-mix", "chart-staff", "chart-trend"):
        assert f'id="{chart}"' in html
    titles = [p["title"] for p in response.context["panels"]]
    assert titles == ["各学段在读学生与平均班额", "班额分布", "学生构成", "教职工构成", "变化趋势", "各校对比（2 所）"]
    assert ("在读学生", "4", "人") in response.context["figure_rows"]
    assert ("生师比（学生:教职工）", "1 : 1", "") in response.context["figure_rows"]
    assert "东西湖区第二小学" in html
    assert "江岸区" not in html
    assert not re.search(r"\son[a-z]+=", html)  # CSP: no inline handlers


def test_who_may_open_which_report(client, region, snapshot):
    login_as(client, "principal")
    assert client.get("/analytics/3420112001/report/").status_code == 200
    assert client.get("/analytics/report/").context["title"] == "东西湖区第一小学"
    assert client.get("/analytics/3420112002/report/").status_code == 404
    assert client.get("/analytics/420112/report/").status_code == 404
    login_as(client, "city")
    assert client.get("/analytics/420102/report/").status_code == 200
    assert client.get("/analytics/3420102001/report/").status_code == 200
    login_as(client, "teacher")
    assert client.get("/analytics/3420112001/report/").status_code == 403


def test_the_drill_down_reaches_a_grade_with_its_classes(client, region, snapshot):
    login_as(client, "bureau")
    school = client.get("/analytics/3420112001/").content.decode()
    assert 'href="/analytics/3420112001/grade/13/"' in school

    page = client.get("/analytics/3420112001/grade/13/")
    assert page.status_code == 200
    assert [label for label, _ in page.context["breadcrumbs"]] == [
        "统计分析",
        "湖北省",
        "武汉市",
        "东西湖区",
        "东西湖区第一小学",
        "三年级",
    ]
    f = page.context["figures"]
    assert (f["classes"], f["students"], f["boys"], f["girls"], f["max_class_size"]) == (2, 3, 3, 0, 2)
    assert [(c["name"], c["size"], c["boys"]) for c in page.context["classes"]] == [
        ("三年级（1）班", 2, 2),
        ("三年级（2）班", 1, 1),
    ]
    assert page.context["trend"] == [{"snapshot_date": "2026-11-20", "classes": 2, "students": 3}]
    html = page.content.decode()
    assert 'href="/analytics/3420112001/grade/13/export/all.xlsx"' in html
    assert 'href="/analytics/3420112001/grade/13/report/"' in html

    report = client.get("/analytics/3420112001/grade/13/report/")
    assert report.status_code == 200
    assert "东西湖区第一小学三年级" in report.content.decode()
    assert 'id="chart-classes"' in report.content.decode()

    assert client.get("/analytics/3420112001/grade/19/").status_code == 404  # no such grade there
    assert client.get("/analytics/420112/grade/13/").status_code == 404  # grades are a school's


def test_a_school_admin_cannot_open_another_schools_grade(client, region, snapshot):
    login_as(client, "principal")
    assert client.get("/analytics/3420112001/grade/13/").status_code == 200
    assert client.get("/analytics/3420112002/grade/12/").status_code == 404


def test_every_panel_of_the_overview_has_an_export_button(client, region, snapshot):
    login_as(client, "bureau")
    html = client.get("/analytics/420112/").content.decode()
    for panel in ("figures", "stages", "bands", "mix", "staff", "trend", "children"):
        assert f'href="/analytics/420112/export/{panel}.xlsx"' in html
    assert 'href="/analytics/420112/export/all.xlsx"' in html and "导出全部" in html
    assert 'href="/analytics/420112/report/"' in html


def test_pages_show_a_same_day_snapshot_taken_again_not_the_rows_kept_from_the_first(client, region, snapshot):
    from zhijiao.people.models import Student

    login_as(client, "bureau")
    assert client.get("/analytics/420112/").context["figures"]["students"] == 4
    assert client.get("/analytics/420112/").context["figures"]["students"] == 4  # the second view reads kept rows
    Student.objects.filter(pk=region.students["s4"].pk).update(status="02")  # 休学: no longer 在读
    snapshot_take(day=date(2026, 11, 20))
    assert client.get("/analytics/420112/").context["figures"]["students"] == 3

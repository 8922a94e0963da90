"""Exporting the statistics panels to xlsx: Chinese headers, numbers as numbers, equal to the metrics; scope; audit."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from zhijiao.analytics.selectors import node_figures
from zhijiao.analytics.services import snapshot_take
from zhijiao.audit.models import AuditEvent
from zhijiao.testing import login_as

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def snapshot(region):
    return snapshot_take(day=date(2026, 11, 20))


def sheets(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def table(rows: list[tuple]) -> tuple[tuple, list[tuple]]:
    """(headers, data rows): row 1 is the caption, row 2 empty, row 3 the headers."""
    return rows[2], rows[3:]


def test_the_whole_workbook_has_a_sheet_per_panel_with_the_metric_figures(client, region, snapshot):
    login_as(client, "bureau")
    response = client.get("/analytics/420112/export/all.xlsx")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    book = sheets(response)
    assert list(book) == [
        "关键指标",
        "各学段在读学生与平均班额",
        "班额分布",
        "学生构成",
        "教职工构成",
        "变化趋势",
        "各校对比（2 所）",
    ]
    assert "东西湖区" in book["关键指标"][0][0] and "2026-11-20" in book["关键指标"][0][0]

    headers, rows = table(book["关键指标"])
    assert headers == ("指标", "数值", "单位")
    figures = dict((label, value) for label, value, _unit in rows)
    expected = node_figures(actor=region.accounts["bureau"], node="420112")
    assert figures["在读学生"] == expected["students"] == 4
    assert figures["在岗教职工"] == expected["staff"] == 4
    assert figures["班级"] == expected["classes"] == 3
    assert figures["生师比（学生:教职工）"] == expected["student_staff_ratio"] == 1.0
    assert isinstance(figures["在读学生"], int)  # a number, not the text "4"

    headers, rows = table(book["各校对比（2 所）"])
    assert headers[:6] == ("学校标识码", "学校", "办学类型", "班级", "在读学生", "教职工")
    assert [(r[0], r[3], r[4], r[5]) for r in rows] == [("3420112001", 2, 3, 3), ("3420112002", 1, 1, 1)]

    headers, rows = table(book["班额分布"])
    assert headers == ("班额", "班级", "占比（%）")
    assert rows[0] == ("45人及以下", 3, 100) and sum(r[1] for r in rows) == 3

    _headers, rows = table(book["变化趋势"])
    assert rows == [("2026-11-20", 2, 3, 4, 4, 3)]


def test_one_panel_downloads_alone_and_each_export_is_audited(client, region, snapshot):
    login_as(client, "principal")
    before = AuditEvent.objects.filter(action="analytics.export").count()
    book = sheets(client.get("/analytics/3420112001/export/grades.xlsx"))
    assert list(book) == ["各年级班额"]
    headers, rows = table(book["各年级班额"])
    assert headers[:4] == ("学段", "年级", "班级", "在读学生")
    assert rows == [("小学", "三年级", 2, 3, 1.5, 2, 0, 0)]
    event = AuditEvent.objects.filter(action="analytics.export").latest("id")
    assert AuditEvent.objects.filter(action="analytics.export").count() == before + 1
    assert event.actor_username == "principal"
    assert event.target_id == "3420112001" and "各年级班额" in event.target_label

    book = sheets(client.get("/analytics/export/figures.xlsx"))  # the principal's default node: their school
    assert "东西湖区第一小学" in book["关键指标"][0][0]
    assert client.get("/analytics/3420112001/export/nonsense.xlsx").status_code == 404


def test_a_grade_exports_its_classes(client, region, snapshot):
    login_as(client, "principal")
    book = sheets(client.get("/analytics/3420112001/grade/13/export/all.xlsx"))
    assert list(book) == ["关键指标", "各班对比（2 个班）", "班额分布", "学生构成", "变化趋势"]
    headers, rows = table(book["各班对比（2 个班）"])
    assert headers[:5] == ("班级", "学段", "班额", "男生", "女生")
    assert [r[:5] for r in rows] == [("三年级（1）班", "小学", 2, 2, 0), ("三年级（2）班", "小学", 1, 1, 0)]
    assert table(book["学生构成"])[1][0][:3] == ("性别", "男", 3)


def test_a_school_admin_cannot_export_another_schools_figures(client, region, snapshot):
    login_as(client, "principal")
    before = AuditEvent.objects.filter(action="analytics.export").count()
    for url in (
        "/analytics/3420112002/export/all.xlsx",
        "/analytics/3420112002/export/figures.xlsx",
        "/analytics/420112/export/children.xlsx",
        "/analytics/3420112002/grade/12/export/classes.xlsx",
        "/analytics/3420102001/report/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"PK" not in response.content[:2]
    assert AuditEvent.objects.filter(action="analytics.export").count() == before


def test_teachers_cannot_export(client, region, snapshot):
    login_as(client, "teacher")
    assert client.get("/analytics/3420112001/export/all.xlsx").status_code == 403

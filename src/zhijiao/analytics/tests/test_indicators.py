"""Plan indicators: targets, rollups with known answers, who has not reported, scope, and the bureau's xlsx import.

The test region: 东西湖区 (420112) holds school A (3 pupils) and B (1 pupil); 江岸区 (420102) holds C (1 pupil).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from zhijiao.analytics import indicators as ind
from zhijiao.analytics.models import IndicatorValue
from zhijiao.audit.models import AuditEvent
from zhijiao.core.errors import Forbidden
from zhijiao.testing import login_as

YEAR = 2026


@pytest.fixture
def plan(region):
    computers = ind.indicator_define(
        actor=None,
        spec=ind.IndicatorSpec(
            code="student-computer",
            name="生机比",
            unit="ratio",
            unit_label="生/台",
            direction="lower",
            basis="students_per",
            reported_label="学生用计算机台数",
            division="420112",
            targets={2020: 4, 2030: 2},
        ),
    )
    multimedia = ind.indicator_define(
        actor=None,
        spec=ind.IndicatorSpec(
            code="multimedia",
            name="多媒体教室覆盖率",
            unit="percent",
            unit_label="%",
            direction="higher",
            targets={2025: 100},
        ),
    )
    smart = ind.indicator_define(
        actor=None,
        spec=ind.IndicatorSpec(
            code="smart-campus",
            name="智慧校园建成数",
            unit="count",
            unit_label="所",
            direction="higher",
            targets={2026: 2},
        ),
    )
    return {"computers": computers, "multimedia": multimedia, "smart": smart}


def test_the_target_of_a_year_is_its_own_else_the_last_milestone_else_the_next(plan):
    computers = plan["computers"]
    assert ind.target_for(computers, 2020) == 4
    assert ind.target_for(computers, 2026) == 4  # the 2020 milestone stays in force
    assert ind.target_for(computers, 2030) == 2
    assert ind.target_for(computers, 2031) == 2
    assert ind.target_for(computers, 2019) == 4  # before any: the goal being worked towards


def test_rollups_and_the_not_reported_list_have_known_answers(region, plan):
    a, b, c = region.schools["A"], region.schools["B"], region.schools["C"]
    computers, multimedia, smart = plan["computers"], plan["multimedia"], plan["smart"]
    row = ind.indicator_report(actor=None, indicator=computers, school=a, year=YEAR, reported=1)
    assert (row.headcount, row.value) == (3, 3.0)  # 3 pupils at A over 1 computer

    summary = ind.indicator_summary(actor=None, indicator=computers, year=YEAR, rows=True)
    assert (summary.schools, summary.reported, summary.not_reported) == (2, 1, 1)  # C is outside 东西湖区
    assert (summary.actual, summary.target, summary.meets) == (3.0, 4, True)
    assert [r.name for r in summary.rows if r.reported is None] == ["东西湖区第二小学"]

    ind.indicator_report(actor=None, indicator=computers, school=b, year=YEAR, reported=2)
    summary = ind.indicator_summary(actor=None, indicator=computers, year=YEAR)
    assert summary.actual == round(4 / 3, 2)  # pooled: (3 + 1) pupils over (1 + 2) computers
    assert summary.not_reported == 0

    ind.indicator_report(actor=None, indicator=multimedia, school=a, year=YEAR, reported=100)
    ind.indicator_report(actor=None, indicator=multimedia, school=c, year=YEAR, reported=50)
    summary = ind.indicator_summary(actor=None, indicator=multimedia, year=YEAR, rows=True)
    assert (summary.actual, summary.target, summary.meets, summary.meeting) == (75.0, 100, False, 1)
    assert {r.code: r.meets for r in summary.rows} == {a.code: True, b.code: None, c.code: False}
    district = ind.indicator_summary(actor=None, indicator=multimedia, year=YEAR, node="420112")
    assert (district.actual, district.schools, district.not_reported) == (100.0, 2, 1)

    for school in (a, c):
        ind.indicator_report(actor=None, indicator=smart, school=school, year=YEAR, reported=1)
    summary = ind.indicator_summary(actor=None, indicator=smart, year=YEAR)
    assert (summary.actual, summary.meets, summary.progress) == (2, True, 100)


def test_a_school_admin_sees_and_reports_only_their_school(client, region, plan):
    principal = region.accounts["principal"]
    b = region.schools["B"]
    with pytest.raises(Forbidden):
        ind.indicator_report(actor=principal, indicator=plan["multimedia"], school=b, year=YEAR, reported=80)
    ind.indicator_report(actor=None, indicator=plan["multimedia"], school=b, year=YEAR, reported=80)

    summary = ind.indicator_summary(actor=principal, indicator=plan["multimedia"], year=YEAR, rows=True)
    assert [r.code for r in summary.rows] == [region.schools["A"].code]
    assert summary.reported == 0

    login_as(client, "principal")
    page = client.get(f"/analytics/indicators/report/?year={YEAR}")
    assert page.status_code == 200
    assert [r["indicator"].code for r in page.context["rows"]] == ["multimedia", "smart-campus", "student-computer"]
    response = client.post(
        "/analytics/indicators/report/",
        {"school": region.schools["A"].code, "year": YEAR, "v-multimedia": "90", "v-student-computer": "3"},
    )
    assert response.status_code == 302
    saved = {v.indicator.code: v.value for v in IndicatorValue.objects.filter(school=region.schools["A"])}
    assert saved == {"multimedia": 90.0, "student-computer": 1.0}
    assert AuditEvent.objects.filter(action="analytics.indicator_report").count() == 3  # B's, then A's two
    # another school's form does not exist for a school administrator
    assert client.get(f"/analytics/indicators/report/?school={b.code}").status_code == 404
    forged = client.post("/analytics/indicators/report/", {"school": b.code, "year": YEAR, "v-multimedia": "10"})
    assert forged.status_code == 404
    assert IndicatorValue.objects.get(school=b, indicator=plan["multimedia"]).value == 80.0

    bad = client.post(
        "/analytics/indicators/report/", {"school": region.schools["A"].code, "year": YEAR, "v-multimedia": "120"}
    )
    assert bad.status_code == 400 and "百分比应在0到100之间" in bad.content.decode()


def test_the_api_gives_target_actual_and_reporting_per_indicator_in_scope(client, region, plan):
    ind.indicator_report(actor=None, indicator=plan["multimedia"], school=region.schools["A"], year=YEAR, reported=60)
    ind.indicator_report(actor=None, indicator=plan["multimedia"], school=region.schools["C"], year=YEAR, reported=100)
    login_as(client, "bureau")
    rows = {r["code"]: r for r in client.get("/api/v1/analytics/indicators", {"year": YEAR}).json()}
    assert set(rows) == {"student-computer", "multimedia", "smart-campus"}
    assert (rows["multimedia"]["actual"], rows["multimedia"]["reported"], rows["multimedia"]["not_reported"]) == (
        60.0,
        1,
        1,
    )
    login_as(client, "principal")
    rows = {r["code"]: r for r in client.get("/api/v1/analytics/indicators", {"year": YEAR}).json()}
    assert (rows["multimedia"]["schools"], rows["multimedia"]["actual"]) == (1, 60.0)
    login_as(client, "teacher")
    assert client.get("/api/v1/analytics/indicators").status_code == 403


def test_bureaus_define_indicators_only_for_their_subtree(region):
    spec = ind.IndicatorSpec(code="wifi", name="无线网络覆盖率", unit="percent", direction="higher", division="420102")
    with pytest.raises(Forbidden):
        ind.indicator_define(actor=region.accounts["bureau"], spec=spec)
    spec.division = "420112"
    assert ind.indicator_define(actor=region.accounts["bureau"], spec=spec).division_id == "420112"
    with pytest.raises(Forbidden):
        ind.indicator_define(actor=region.accounts["principal"], spec=spec)


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["学校标识码", "学校名称", "多媒体教室覆盖率（%）"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_the_import_reports_every_row_by_field_and_writes_nothing_when_one_is_wrong(region, plan, tmp_path):
    bureau = region.accounts["bureau"]
    bad = _xlsx(
        tmp_path / "bad.xlsx",
        [
            ["3420112001", "东西湖区第一小学", 80],
            ["3420112002", "东西湖区第二小学", "八十"],
            ["3420102001", "江岸区实验小学", 50],  # outside 东西湖区
            ["3420112003", "", 50],  # no such school
            ["342011200", "", 50],  # nine digits
            ["3420112001", "东西湖区第一小学", 90],  # again
            ["3420112002", "东西湖区一小", 120],  # wrong name and over 100
            [None, None, None],  # blank lines are not rows
            ["", "某学校", 10],
        ],
    )
    result = ind.indicator_import(actor=bureau, indicator=plan["multimedia"], year=YEAR, path=bad)
    assert result.written == 0 and not IndicatorValue.objects.exists()
    assert [(r.row, r.errors) for r in result.rows] == [
        (2, []),
        (3, [("多媒体教室覆盖率（%）", "应为数字")]),
        (4, [("学校标识码", "无权填报该学校的数据")]),
        (5, [("学校标识码", "学校标识码不存在")]),
        (6, [("学校标识码", "学校标识码应为10位数字")]),
        (7, [("学校标识码", "与本文件第2行重复")]),
        (
            8,
            [
                ("学校名称", "学校名称与标识码不符（应为“东西湖区第二小学”）"),
                ("学校标识码", "与本文件第3行重复"),
                ("多媒体教室覆盖率（%）", "百分比应在0到100之间"),
            ],
        ),
        (10, [("学校标识码", "必填项为空")]),
    ]
    assert result.rows[0].outcome == "未写入（文件中有错误行）"

    good = _xlsx(tmp_path / "good.xlsx", [["3420112001", "东西湖区第一小学", 80], ["3420112002", "", None]])
    result = ind.indicator_import(actor=bureau, indicator=plan["multimedia"], year=YEAR, path=good)
    assert result.written == 1
    assert [r.outcome for r in result.rows] == ["写入", "跳过（未填写）"]
    assert IndicatorValue.objects.get().value == 80.0
    assert AuditEvent.objects.filter(action="analytics.indicator_import").count() == 1


def test_the_template_lists_the_schools_and_the_upload_shows_row_errors(client, region, plan, tmp_path):
    login_as(client, "bureau")
    response = client.get(f"/analytics/indicators/multimedia/template.xlsx?year={YEAR}")
    assert response.status_code == 200
    (tmp_path / "t.xlsx").write_bytes(response.content)
    sheet = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["学校标识码", "学校名称", "多媒体教室覆盖率（%）"],
        ["3420112001", "东西湖区第一小学", None],
        ["3420112002", "东西湖区第二小学", None],
    ]
    bad = _xlsx(tmp_path / "bad.xlsx", [["3420112001", "", "abc"]])
    with bad.open("rb") as file:
        page = client.post(f"/analytics/indicators/multimedia/?year={YEAR}", {"file": file, "year": YEAR})
    assert page.status_code == 400
    html = page.content.decode()
    assert "文件中有 1 行错误，未写入任何数据" in html and "应为数字" in html


def test_the_pages_show_targets_actuals_and_who_has_not_reported(client, region, plan):
    ind.indicator_report(actor=None, indicator=plan["computers"], school=region.schools["A"], year=YEAR, reported=1)
    login_as(client, "bureau")
    page = client.get(f"/analytics/indicators/?year={YEAR}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "生机比" in html and "多媒体教室覆盖率" in html and 'href="/analytics/indicators/"' in html
    detail = client.get(f"/analytics/indicators/student-computer/?year={YEAR}")
    assert detail.status_code == 200
    assert [r.name for r in detail.context["not_reported"]] == ["东西湖区第二小学"]
    assert client.get("/analytics/indicators/no-such/").status_code == 404
    login_as(client, "teacher")
    assert client.get("/analytics/indicators/").status_code == 403


def test_a_bureau_defines_an_indicator_with_targets_through_the_form(client, region):
    login_as(client, "bureau")
    assert client.get("/analytics/indicators/new/").status_code == 200
    response = client.post(
        "/analytics/indicators/new/",
        {
            "code": "wifi",
            "name": "无线网络覆盖率",
            "unit": "percent",
            "unit_label": "%",
            "direction": "higher",
            "basis": "reported",
            "division": "420112",
            "targets": "2020：80，2025:100",
        },
    )
    assert response.status_code == 302
    wifi = ind.indicator_get(actor=region.accounts["bureau"], code="wifi")
    assert [(t.year, t.value) for t in wifi.targets.all()] == [(2020, 80.0), (2025, 100.0)]
    bad = client.post("/analytics/indicators/new/", {"code": "x", "name": "x", "division": "420102"})
    assert bad.status_code == 400 and "只能为本辖区设置指标" in bad.content.decode()
    login_as(client, "principal")
    assert client.get("/analytics/indicators/new/").status_code == 404

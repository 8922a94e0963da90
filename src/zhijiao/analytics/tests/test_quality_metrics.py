"""Data-quality figures in the warehouse: the catalogue's scores copied into a snapshot, the metrics on them (mean,
schools below 60, worst first) with known answers, node scoping, and snapshots written before the quality table."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from zhijiao.analytics import metrics as m
from zhijiao.analytics.engine import engine
from zhijiao.analytics.selectors import node_figures
from zhijiao.analytics.services import snapshot_take
from zhijiao.analytics.tests.conftest import hand_built
from zhijiao.analytics.warehouse import table_path
from zhijiao.catalogue.models import Dataset, QualityScore
from zhijiao.testing import login_as

DAY = date(2026, 11, 20)
A, B, C = "1000000001", "1000000002", "1000000003"  # A and B in 东西湖区, C in 江岸区
DXH, JA = "420112", "420102"


def score(code: str, division: str, dataset: str, value: float, c: float = 100.0, v: float = 100.0, t: float = 100.0):
    return {
        "school_code": code,
        "division_code": division,
        "dataset": dataset,
        "score": value,
        "completeness": c,
        "validity": v,
        "timeliness": t,
        "computed_at": "2026-11-19 02:00:00",
    }


@pytest.fixture
def tables():
    return hand_built(
        DAY,
        quality=[
            score(A, DXH, "students", 80.0, c=90.0, v=70.0, t=100.0),
            score(A, DXH, "staff", 90.0, c=100.0, v=80.0, t=50.0),
            score(B, DXH, "students", 50.0, c=60.0),
            score(B, DXH, "staff", 60.0, c=40.0),
            score(C, JA, "students", 40.0),
        ],
    )


def test_the_mean_score_and_the_schools_below_60(tables):
    everything = engine().rows(m.quality_summary(tables, ""))[0]
    assert everything["scores"] == 5
    assert everything["quality_mean"] == pytest.approx((80 + 90 + 50 + 60 + 40) / 5)  # 64
    assert everything["scored_schools"] == 3
    assert everything["schools_low_quality"] == 2  # B (55) and C (40); A is 85
    assert everything["completeness"] == pytest.approx((90 + 100 + 60 + 40 + 100) / 5)


def test_schools_are_listed_worst_first_with_their_components(tables):
    rows = engine().rows(m.school_quality(tables, ""))
    assert [(r["school_code"], r["score"], r["low"]) for r in rows] == [
        (C, 40.0, True),
        (B, 55.0, True),
        (A, 85.0, False),
    ]
    a = rows[2]
    assert (a["datasets"], a["completeness"], a["validity"], a["timeliness"]) == (2, 95.0, 75.0, 75.0)


def test_quality_figures_are_scoped_to_the_node(tables):
    district = engine().rows(m.quality_summary(tables, DXH))[0]
    assert district["quality_mean"] == pytest.approx(70.0)
    assert (district["scored_schools"], district["schools_low_quality"]) == (2, 1)
    assert [r["school_code"] for r in engine().rows(m.school_quality(tables, DXH))] == [B, A]
    city = engine().rows(m.quality_summary(tables, "4201"))[0]
    assert city["quality_mean"] == pytest.approx(64.0)
    school = engine().rows(m.quality_summary(tables, A))[0]
    assert (school["quality_mean"], school["schools_low_quality"]) == (85.0, 0)
    elsewhere = engine().rows(m.quality_summary(tables, "430102"))[0]
    assert elsewhere["quality_mean"] is None and elsewhere["scores"] == 0 and not elsewhere["schools_low_quality"]


def test_the_trend_of_the_mean_over_snapshots(tables):
    later = hand_built(date(2026, 11, 21), quality=[score(A, DXH, "students", 70.0)])
    rows = engine().rows(m.quality_trend([(DAY, tables), (date(2026, 11, 21), later)], DXH))
    assert [(r["snapshot_date"], r["quality_mean"]) for r in rows] == [(DAY, 70.0), (date(2026, 11, 21), 70.0)]
    assert [r["scores"] for r in rows] == [4, 1]


def test_the_quality_metrics_compile_for_spark_and_trino():
    assert {"quality_summary", "school_quality"} <= set(m.METRICS)  # so test_compile covers them
    history = [(day, m.unbound_tables(f"{day:%Y%m%d}")) for day in (DAY, date(2026, 11, 21))]
    for dialect in ("pyspark", "trino"):
        assert "quality_20261121" in m.metric_sql(m.quality_trend(history, "4201"), dialect)


# ------------------------------------------------------------------------------------------ from the catalogue
def _scores(region) -> None:
    """Two computations of one dataset: only the newest reaches the snapshot; the platform-wide row does not."""
    dataset, _ = Dataset.objects.get_or_create(code="qtest", defaults={"name": "测试数据集", "provider": "测试"})
    old, new = datetime(2026, 11, 18, 2, tzinfo=UTC), datetime(2026, 11, 19, 2, tzinfo=UTC)
    QualityScore.objects.filter(dataset=dataset).delete()
    for at, values in ((old, {"A": 10.0, "B": 10.0, "C": 10.0}), (new, {"A": 90.0, "B": 50.0, "C": 70.0})):
        for key, value in values.items():
            QualityScore.objects.create(
                dataset=dataset,
                school=region.schools[key],
                computed_at=at,
                score=value,
                completeness=value,
                validity=100.0,
                timeliness=100.0,
            )
        QualityScore.objects.create(dataset=dataset, school=None, computed_at=at, score=1.0)
    QualityScore.objects.exclude(dataset=dataset).delete()  # scores of other datasets would change the answers


def test_a_snapshot_copies_the_latest_scores_per_school(region, warehouse):
    _scores(region)
    snapshot = snapshot_take(day=DAY)
    assert snapshot.rows["quality"] == 3
    figures = node_figures(actor=None, node="420112")
    assert figures["quality_mean"] == 70.0  # (90 + 50) / 2
    assert figures["schools_low_quality"] == 1
    assert figures["quality_schools"] == 2
    assert node_figures(actor=None, node="3420112001")["quality_mean"] == 90.0


def test_cli_json_and_api_carry_the_quality_figures(client, region, warehouse):
    _scores(region)
    snapshot_take(day=DAY)
    out = StringIO()
    call_command("analytics", "metrics", "--node", "420112", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert (figures["quality_mean"], figures["schools_low_quality"]) == (70.0, 1)
    login_as(client, "admin")
    api = client.get("/api/v1/analytics/metrics", {"node": ""})
    assert api.status_code == 200, api.content[:300]
    assert (api.json()["quality_mean"], api.json()["schools_low_quality"]) == (70.0, 1)  # B (50); C is 70


def test_the_overview_shows_the_quality_panel_worst_first_and_exports_it(client, region, warehouse):
    _scores(region)
    snapshot_take(day=DAY)
    login_as(client, "bureau")
    page = client.get("/analytics/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "平均数据质量得分" in html and 'href="/quality/"' in html
    assert [q["code"] for q in page.context["quality_schools"]] == ["3420112002", "3420112001"]
    assert page.context["figures"]["quality_mean"] == 70.0
    book = load_workbook(io.BytesIO(client.get("/analytics/export/all.xlsx").content), read_only=True)
    quality = next(ws for ws in book.worksheets if ws.title.startswith("数据质量"))
    rows = list(quality.iter_rows(values_only=True))
    assert [r[0] for r in rows[3:]] == ["3420112002", "3420112001"]
    assert rows[3][3] == 50.0
    report = client.get("/analytics/report/")
    assert report.status_code == 200
    assert "数据质量（得分由低到高）" in report.content.decode() and "平均数据质量得分" in report.content.decode()


def test_a_snapshot_written_before_the_quality_table_still_renders(client, region, warehouse):
    _scores(region)
    snapshot = snapshot_take(day=DAY)
    table_path(snapshot.path, "quality").unlink()  # as written by an older release
    engine().forget()
    figures = node_figures(actor=None, node="420112")
    assert figures["quality_mean"] is None and figures["schools_low_quality"] == 0
    login_as(client, "bureau")
    page = client.get("/analytics/")
    assert page.status_code == 200
    assert "本次快照没有数据质量得分" in page.content.decode()
    assert page.context["quality_schools"] == []
    assert client.get("/analytics/export/all.xlsx").status_code == 200

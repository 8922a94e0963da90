"""Growth's figures in the warehouse and on the statistics page (decision 0055-health-file): each pupil's latest health
check and fitness result of the school year and each class's latest review reach the snapshot through the core hook;
体质优良率, 近视率 and 综合素质评价完成率 are pooled over pupils; psychological screenings never reach it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from zhijiao.analytics.engine import engine
from zhijiao.analytics.metrics import metric_sql, unbound_tables
from zhijiao.analytics.metrics_growth import GROWTH_METRICS, rate
from zhijiao.analytics.services import snapshot_take
from zhijiao.analytics.warehouse import SCHEMAS, table_path
from zhijiao.growth.models import FitnessResult, FitnessSession, HealthCheck, PsychScreening, TermReview
from zhijiao.org.models import Term
from zhijiao.testing import login_as

DAY = date(2026, 11, 20)


@pytest.fixture
def warehouse(settings, tmp_path):
    settings.ZHIJIAO_WAREHOUSE_DIR = tmp_path / "warehouse"
    settings.ZHIJIAO_WAREHOUSE_KEEP = 0
    engine().forget()
    yield settings.ZHIJIAO_WAREHOUSE_DIR
    engine().forget()


@pytest.fixture
def growth_data(region):
    """School A: s1 优秀 and myopic, s2 及格 and not myopic (an older check of s2 was myopic: only the latest
    counts), s3 undecided (no refraction) and untested; class A1's review archived (s1, s2), A2's selecting (s3)."""
    term = Term.objects.get(is_current=True)
    session = FitnessSession.objects.create(school=region.schools["A"], term=term, name="秋季体测")
    for key, level, total in (("s1", "优秀", "91.0"), ("s2", "及格", "66.0")):
        s = region.students[key]
        FitnessResult.objects.create(
            session=session, student=s, school_class=s.school_class, grade=3, sex="男", bmi=16.0, bmi_class="正常",
            standard_score=Decimal(total), total_score=Decimal(total), level=level,
        )  # fmt: skip
    for key, day, myopia in (("s1", 10, True), ("s2", 5, True), ("s2", 12, False), ("s3", 10, None)):
        s = region.students[key]
        HealthCheck.objects.create(
            student=s, school=s.school, school_class=s.school_class, checked_on=date(2026, 10, day), myopia=myopia,
            poor_vision=myopia is not False,
        )  # fmt: skip
    TermReview.objects.create(school_class=region.classes["A1"], term=term, state="archived")
    TermReview.objects.create(school_class=region.classes["A2"], term=term, state="selecting")
    PsychScreening.objects.create(
        student=region.students["s1"], school=region.schools["A"], screened_on=date(2026, 10, 8), instrument="量表",
        level="refer",
    )  # fmt: skip
    return region


@pytest.mark.django_db
def test_the_snapshot_carries_growth_tables_without_psychology(growth_data, warehouse):
    snapshot = snapshot_take(day=DAY)
    assert (snapshot.rows["health_checks"], snapshot.rows["fitness_results"], snapshot.rows["growth_reviews"]) == (
        3,
        2,
        2,
    )
    checks = pl.read_parquet(table_path(snapshot.path, "health_checks"))
    assert checks.columns == list(SCHEMAS["health_checks"])
    s2 = checks.filter(pl.col("student_id") == growth_data.students["s2"].pk).row(0, named=True)
    assert (s2["day"], s2["myopia"]) == ("2026-10-12", False)  # the latest check only
    for name in SCHEMAS:  # psychology is in no table, by column or by value
        frame = pl.read_parquet(table_path(snapshot.path, name))
        assert not any("psych" in c for c in frame.columns)
        if name in ("health_checks", "fitness_results", "growth_reviews"):
            values = {str(v) for col in frame.iter_columns() for v in col.to_list()}
            assert not values & {"refer", "watch", "建议转介专业机构", "量表"}


@pytest.mark.django_db
def test_the_statistics_page_shows_the_pooled_rates(client, growth_data, warehouse):
    snapshot_take(day=DAY)
    login_as(client, "bureau")
    page = client.get("/analytics/3420112001/")
    assert page.status_code == 200
    g = page.context["growth"]
    assert (g["fitness_good_rate"], g["myopia_rate"], g["completion_rate"]) == (50.0, 50.0, 66.7)
    html = page.content.decode()
    assert "体质优良率" in html and "近视率" in html and "综合素质评价完成率" in html
    district = client.get("/analytics/420112/").context["growth"]
    school_a = next(c for c in district["children"] if c["name"] == "东西湖区第一小学")
    assert school_a["myopia_rate"] == 50.0 and district["pupils"] == 4  # B1's pupil has no check: not a rate
    assert district["completion_rate"] == 50.0  # 2 of the district's 4 pupils


def test_rate_rounds_half_up_and_needs_a_denominator():
    assert rate(2, 3) == 66.7 and rate(1, 8) == 12.5 and rate(1, 0) is None and rate(0, 5) == 0.0


@pytest.mark.parametrize("dialect", ["duckdb", "pyspark", "trino"])
@pytest.mark.parametrize("node", ["", "42", "420112", "3420112001"])
def test_growth_metrics_compile_for_every_engine(dialect, node):
    for build in GROWTH_METRICS.values():
        assert "SELECT" in metric_sql(build(unbound_tables(), node), dialect).upper()


@pytest.mark.django_db
def test_growth_plan_indicators_and_their_warnings(growth_data, warehouse):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from zhijiao.analytics.indicators import indicator_define
    from zhijiao.analytics.indicators_growth import growth_indicator_spec
    from zhijiao.analytics.models import EarlyWarning, IndicatorValue, WarningKind
    from zhijiao.analytics.warnings import warnings_evaluate

    for code, target in (("myopia_rate", 40.0), ("fitness_good_rate", 40.0), ("growth_completion", 90.0)):
        indicator_define(actor=None, spec=growth_indicator_spec(code, division="420112", targets={2026: target}))
    snapshot_take(day=DAY)
    values = {
        (v.indicator.code, v.school.code): (v.value, v.source)
        for v in IndicatorValue.objects.select_related("indicator", "school")
    }
    assert values == {
        ("myopia_rate", "3420112001"): (50.0, "snapshot"),
        ("fitness_good_rate", "3420112001"): (50.0, "snapshot"),
        ("growth_completion", "3420112001"): (66.7, "snapshot"),
        ("growth_completion", "3420112002"): (0.0, "snapshot"),  # B has pupils but no review done
    }
    warnings_evaluate(now=datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), year=2026)
    raised = set(EarlyWarning.objects.filter(kind=WarningKind.INDICATOR).values_list("school__code", "subject"))
    assert ("3420112001", "myopia_rate") in raised  # 50 % > 40 % target
    assert ("3420112001", "fitness_good_rate") not in raised  # 50 % ≥ 40 %
    assert ("3420112002", "growth_completion") in raised

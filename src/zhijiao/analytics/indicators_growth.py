"""Growth's plan indicators (decision 0055): 体质优良率, 近视率 and 综合素质评价完成率 as 规划指标 whose school
values come from the latest warehouse snapshot instead of a school's form.

A bureau defines them like any indicator (``indicator_define``; the demo does it for its city), under the codes in
``GROWTH_INDICATORS``; after each snapshot :func:`growth_indicator_values_refresh` writes every covered school's
value for the year (source ``snapshot``; a school with no pupils measured gets none). The targets, the rollup (the
mean of the schools' percentages), the progress bars and the indicator warnings (``warnings._indicator_conditions``)
then work as for a reported indicator: a school whose 近视率 is above, or whose 体质优良率 is below, the year's target
by more than the rule's slack raises an early warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from zhijiao.analytics import metrics as m
from zhijiao.analytics.engine import engine, snapshot_stand_in
from zhijiao.analytics.indicators import IndicatorSpec, _write, indicator_schools
from zhijiao.analytics.metrics_growth import growth_by_school, rate
from zhijiao.analytics.models import Indicator, IndicatorDirection, IndicatorUnit, Snapshot
from zhijiao.org.models import School


@dataclass(frozen=True)
class GrowthIndicator:
    code: str
    name: str
    direction: str
    part: str  # the growth_by_school column counted …
    whole: str  # … over this one
    description: str


GROWTH_INDICATORS: dict[str, GrowthIndicator] = {
    g.code: g
    for g in (
        GrowthIndicator(
            "fitness_good_rate", "体质优良率", IndicatorDirection.HIGHER, "fitness_good", "fitness_tested",
            "《国家学生体质健康标准》优秀与良好的学生占参测学生的比例（由体测成绩自动计算）",
        ),
        GrowthIndicator(
            "myopia_rate", "近视率", IndicatorDirection.LOWER, "myopic", "vision_decided",
            "筛查性近视（WS/T 663—2020）学生占视力筛查学生的比例（由健康档案自动计算）",
        ),
        GrowthIndicator(
            "growth_completion", "综合素质评价完成率", IndicatorDirection.HIGHER, "reviews_done", "pupils",
            "所在班级本学年最近一个学期综合素质评价已审核或归档的在校生比例（自动计算）",
        ),
    )
}  # fmt: skip


def growth_indicator_spec(code: str, *, division: str = "", targets: dict[int, float] | None = None) -> IndicatorSpec:
    """The spec a bureau passes to ``indicator_define`` for one of the growth indicators."""
    g = GROWTH_INDICATORS[code]
    return IndicatorSpec(
        code=g.code, name=g.name, unit=IndicatorUnit.PERCENT, direction=g.direction, unit_label="%",
        division=division, targets=targets or {}, description=g.description, order=80,
    )  # fmt: skip


def growth_indicator_values_refresh(*, snapshot: Snapshot, year: int) -> int:
    """Write each covered school's value of every defined growth indicator from ``snapshot``; returns how many."""
    indicators = list(Indicator.objects.filter(code__in=GROWTH_INDICATORS))
    if not indicators:
        return 0
    engine().tables(snapshot.taken_on, snapshot.path, version=snapshot.taken_at.isoformat())  # attach it
    stand_in = m.unbound_tables(snapshot_stand_in(0))
    rows = engine().query(
        "growth_by_school", lambda code: growth_by_school(stand_in, code), "", days=[snapshot.taken_on]
    )
    by_school = {r["child"]: r for r in rows}
    written = 0
    with transaction.atomic():
        for indicator in indicators:
            g = GROWTH_INDICATORS[indicator.code]
            for school in School.objects.filter(indicator_schools(indicator)):
                row = by_school.get(school.code)
                value = rate(row[g.part], row[g.whole]) if row else None
                if value is None:
                    continue
                _write(indicator, school, year, value, actor=None, source="snapshot")
                written += 1
    return written

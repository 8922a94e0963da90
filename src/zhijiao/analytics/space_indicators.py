"""The 网络学习空间 indicators (issue 18 item 5), computed per school from each snapshot's ``space_usage`` table.

Four plan indicators, each a percentage where higher is better:

* ``space-active`` 网络学习空间活跃率 = accounts that used their space in the 30 days before the snapshot ÷ all
  counted accounts (专任教师, pupils on the roll, their guardians). Plan 001 asks ≥ 80 %.
* ``space-research`` 教师网络教研参与率 = 专任教师 who took part in a 网络教研 activity this year ÷ 专任教师.
* ``space-hours`` 继续教育学时完成率 = 专任教师 whose hours this year reach their bureau's requirement ÷ 专任教师.
* ``space-notice-read`` 家校通知阅读率 = notices delivered in the last 30 days that were read ÷ delivered.

They are ordinary :class:`Indicator` rows (created on first use with default targets a bureau may change on the
indicators page), and each snapshot writes every school's value for the snapshot's year with ``source="snapshot"``,
so the indicators page, its roll-ups and the 指标偏离 early warnings treat them like any reported indicator. A school
without anyone in a denominator (no teachers, no notices) gets no value rather than 0 %.

The spaces app fills ``space_usage`` through ``core.warehouse_sources``; this module never imports it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import ibis.expr.types as ir
from django.db import transaction
from django.utils import timezone

from zhijiao.analytics.metrics import Tables, in_node
from zhijiao.analytics.models import (
    Indicator,
    IndicatorBasis,
    IndicatorDirection,
    IndicatorTarget,
    IndicatorUnit,
    IndicatorValue,
    Snapshot,
)
from zhijiao.analytics.selectors import _query, snapshot_tables
from zhijiao.org.models import School

logger = logging.getLogger("zhijiao.analytics")

SOURCE = "snapshot"


@dataclass(frozen=True)
class SpaceIndicator:
    code: str
    name: str
    numerator: str  # columns of space_school_rates
    denominator: str
    target: float  # the default target, set once when the indicator is created
    description: str


SPACE_INDICATORS = (
    SpaceIndicator(
        "space-active", "网络学习空间活跃率", "active", "accounts", 80.0,
        "近30天使用过个人空间的师生和家长占比（规划目标不低于80%），每次数据快照自动计算",
    ),
    SpaceIndicator(
        "space-research", "教师网络教研参与率", "researched", "teachers", 60.0,
        "本年度参加过网络教研活动的专任教师占比，每次数据快照自动计算",
    ),
    SpaceIndicator(
        "space-hours", "继续教育学时完成率", "hours_done", "teachers", 80.0,
        "本年度继续教育学时达到要求的专任教师占比，每次数据快照自动计算",
    ),
    SpaceIndicator(
        "space-notice-read", "家校通知阅读率", "notices_read", "notices", 85.0,
        "近30天送达的通知中已读的占比，每次数据快照自动计算",
    ),
)  # fmt: skip
ORDER = 90  # after the bureau's own indicators


def _n(expr: ir.BooleanValue) -> ir.IntegerScalar:
    return expr.cast("int64").sum()


def space_school_rates(t: Tables, node: str) -> ir.Table:
    """Per school: counted accounts, active ones, 专任教师, those in research, those with their hours, notices
    delivered and read."""
    u = in_node(t.space_usage, node)
    teacher = u.role == "teacher"
    return (
        u.group_by(["school_id", "school_code", "division_code"])
        .agg(
            accounts=u.count(),
            active=_n(u.active_30d),
            teachers=_n(teacher),
            researched=_n(teacher & u.research),
            hours_done=_n(teacher & (u.hours >= u.hours_required)),
            notices=u.notices.sum(),
            notices_read=u.notices_read.sum(),
        )
        .order_by("school_code")
    )


def space_indicators_ensure(year: int) -> dict[str, Indicator]:
    """The four indicators, created with their default target for ``year`` the first time."""
    out = {}
    for i, spec in enumerate(SPACE_INDICATORS):
        indicator, created = Indicator.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "unit": IndicatorUnit.PERCENT,
                "unit_label": "%",
                "direction": IndicatorDirection.HIGHER,
                "basis": IndicatorBasis.REPORTED,
                "reported_label": "自动计算",
                "description": spec.description,
                "order": ORDER + i,
            },
        )
        if created:
            IndicatorTarget.objects.create(indicator=indicator, year=year, value=spec.target)
        out[spec.code] = indicator
    return out


def space_indicators_update(snapshot: Snapshot | None = None) -> int:
    """Write every school's four values from ``snapshot`` (the latest by default); returns the values written."""
    snapshot = snapshot or Snapshot.objects.order_by("-taken_on").first()
    if snapshot is None:
        return 0
    tables = snapshot_tables(snapshot)
    rows = _query(snapshot, tables, "space_school_rates", space_school_rates, "")
    year = snapshot.taken_on.year
    now = timezone.now()
    known = set(School.objects.filter(pk__in=[r["school_id"] for r in rows]).values_list("pk", flat=True))
    with transaction.atomic():
        indicators = space_indicators_ensure(year)
        values = []
        for row in rows:
            if row["school_id"] not in known:
                continue
            for spec in SPACE_INDICATORS:
                denominator = int(row[spec.denominator] or 0)
                if not denominator:
                    continue
                percent = round(100 * int(row[spec.numerator] or 0) / denominator, 1)
                values.append(
                    IndicatorValue(
                        indicator=indicators[spec.code],
                        school_id=row["school_id"],
                        year=year,
                        reported=percent,
                        headcount=denominator,
                        value=percent,
                        source=SOURCE,
                        reported_at=now,
                    )
                )
        IndicatorValue.objects.bulk_create(
            values,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["indicator", "school", "year"],
            update_fields=["reported", "headcount", "value", "source", "reported_at"],
        )
    logger.info("网络学习空间指标：%s 个学校值（%s 快照）", len(values), snapshot.taken_on)
    return len(values)

"""Demo plan indicators and warnings: the indicators of the 东西湖区 plan (seed 003's 主要任务进度表) with its
yearly targets, values reported by most schools (some behind), and a first warning evaluation."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from zhijiao.analytics.indicators import IndicatorSpec, indicator_define, indicator_schools
from zhijiao.analytics.models import EarlyWarning, Indicator, IndicatorBasis, IndicatorValue, WarningKind
from zhijiao.analytics.warnings import warning_acknowledge, warning_rule_set, warnings_evaluate
from zhijiao.core.student_status import studying_q
from zhijiao.org.models import School
from zhijiao.people.models import Staff, Student

REPORTING_SHARE = 0.8  # schools that have reported this year's values

# (spec, how a school's reported number is drawn: (low, high) around what the plan expects)
PLAN: list[tuple[IndicatorSpec, tuple[float, float]]] = [
    (
        IndicatorSpec(
            code="student-computer",
            name="生机比",
            unit="ratio",
            unit_label="生/台",
            direction="lower",
            basis=IndicatorBasis.STUDENTS_PER,
            reported_label="学生用计算机台数",
            targets={2019: 6, 2020: 4},
            description="在读学生数 ÷ 学生用计算机台数。学校填报台数，学生数取自学籍名册。",
            order=1,
        ),
        (0.12, 0.35),  # computers per pupil
    ),
    (
        IndicatorSpec(
            code="teacher-computer",
            name="师机比",
            unit="ratio",
            unit_label="师/台",
            direction="lower",
            basis=IndicatorBasis.TEACHERS_PER,
            reported_label="教师用计算机台数",
            targets={2019: 0.72, 2020: 0.67},
            description="专任教师数 ÷ 教师用计算机台数；规划目标 1:1.5，即每台计算机不超过 0.67 名教师。",
            order=2,
        ),
        (1.1, 1.9),  # computers per teacher
    ),
    (
        IndicatorSpec(
            code="broadband",
            name="高带宽网络接入覆盖率",
            unit="percent",
            unit_label="%",
            direction="higher",
            targets={2019: 80, 2020: 90, 2021: 100},
            order=3,
        ),
        (85, 100),
    ),
    (
        IndicatorSpec(
            code="multimedia",
            name="新型多媒体教室覆盖率",
            unit="percent",
            unit_label="%",
            direction="higher",
            targets={2019: 40, 2020: 50, 2021: 60},
            order=4,
        ),
        (35, 90),
    ),
    (
        IndicatorSpec(
            code="recording",
            name="录播教室覆盖率",
            unit="percent",
            unit_label="%",
            direction="higher",
            targets={2021: 30, 2025: 50},
            description="演示目标。",
            order=5,
        ),
        (10, 70),
    ),
    (
        IndicatorSpec(
            code="smart-campus",
            name="智慧校园建成数",
            unit="count",
            unit_label="所",
            direction="higher",
            targets={2019: 4, 2020: 18, 2021: 30},
            description="学校建成智慧校园填 1，未建成填 0；按区域合计与目标比较。",
            order=6,
        ),
        (0, 1),
    ),
    (
        IndicatorSpec(
            code="teacher-training",
            name="教师信息化能力提升完成率",
            unit="percent",
            unit_label="%",
            direction="higher",
            targets={2019: 40, 2020: 80, 2021: 100},
            order=7,
        ),
        (70, 100),
    ),
]


def demo_indicators(*, root: str, seed: int = 42, progress: Callable[[str], None] = print) -> None:
    """Define the plan's indicators for the demo's root division, report values for most schools, evaluate the
    warnings. Does nothing when indicators exist already."""
    if Indicator.objects.exists():
        return
    rng = random.Random(seed)
    year = timezone.localdate().year
    pupils = dict(
        Student.objects.filter(studying_q()).values("school_id").annotate(n=Count("pk")).values_list("school_id", "n")
    )
    teachers = dict(
        Staff.objects.filter(is_active=True, category="11", school__isnull=False)
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    now = timezone.now()
    with transaction.atomic():
        rows: list[IndicatorValue] = []
        for spec, (low, high) in PLAN:
            spec.division = root
            indicator = indicator_define(actor=None, spec=spec)
            for school_id in School.objects.filter(indicator_schools(indicator)).values_list("pk", flat=True):
                if rng.random() > REPORTING_SHARE:
                    continue
                headcount = None
                if spec.basis == IndicatorBasis.STUDENTS_PER:
                    headcount = pupils.get(school_id, 0)
                    reported = float(max(1, round(headcount * rng.uniform(low, high))))
                elif spec.basis == IndicatorBasis.TEACHERS_PER:
                    headcount = teachers.get(school_id, 0)
                    reported = float(max(1, round(headcount * rng.uniform(low, high))))
                elif spec.unit == "count":
                    reported = 1.0 if rng.random() < 0.45 else 0.0
                else:
                    reported = float(min(100, round(rng.uniform(low, high))))
                value = round(headcount / reported, 2) if headcount is not None else reported
                rows.append(
                    IndicatorValue(
                        indicator=indicator,
                        school_id=school_id,
                        year=year,
                        reported=reported,
                        headcount=headcount,
                        value=value,
                        source="demo",
                        reported_at=now,
                    )
                )
        IndicatorValue.objects.bulk_create(rows, batch_size=2000)
        # the demo bureau warns only about schools more than 10% behind a target
        warning_rule_set(actor=None, kind=WarningKind.INDICATOR, division=root, threshold=10)
    progress(f"规划指标：{len(PLAN)} 项，{len(rows)} 条学校填报值（{year} 年）")
    progress(f"预警评估：{warnings_evaluate()}")
    # a few owners have already looked at theirs, so the list shows every status
    for warning in EarlyWarning.objects.filter(owner__isnull=False).order_by("pk")[:3]:
        warning_acknowledge(actor=warning.owner, warning=warning, note="已知悉，正在核实")

"""Plan indicators (规划指标监测): bureaus define indicators with yearly targets, schools report yearly values.

Who does what: platform administrators and region administrators define indicators for a division they administer
(the indicator's scope is that division's subtree); school administrators report their own school's values, and a
bureau may report or import for any school in its subtree. Reading follows the statistics' scope (analytics
selectors): region administrators and inspectors their subtree, school administrators their school.

A school's value is either reported as is (覆盖率, 完成率, 建成数) or computed from the registry: the school reports
a count and the indicator divides the registry's headcount by it (生机比 = 在读学生 ÷ 学生用计算机台数). The
headcount is taken when the value is reported and kept beside it, so a value never changes under the school's feet.

The target of a year is that year's target, else the latest earlier one (a milestone stays in force), else the
next one (the goal being worked towards). Rolling up: counts add up; registry-based ratios pool (Σ headcount ÷
Σ reported); reported ratios and percentages are the mean of the schools' values. Count targets (建成数) are
totals for the indicator's whole scope, so a single school is not judged against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.analytics.errors import AnalyticsError
from zhijiao.analytics.models import (
    Indicator,
    IndicatorBasis,
    IndicatorDirection,
    IndicatorTarget,
    IndicatorUnit,
    IndicatorValue,
)
from zhijiao.analytics.selectors import _analytics_places
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.student_status import studying_q
from zhijiao.org.models import Division, School
from zhijiao.people.models import Staff, Student

TEACHER = "11"


# ------------------------------------------------------------------------------------------ scope
def _bureau_divisions(actor) -> list[str] | None:
    """Division codes whose indicators the actor may define and import for; None: every division."""
    if actor is None:
        return None
    scope = scope_for(actor)
    if scope.is_platform_admin:
        return None
    return scope.divisions(Role.REGION_ADMIN)


def visible_schools_q(actor: Actor, prefix: str = "") -> Q:
    """Filter on School: the schools whose indicator values and warnings the actor may read."""
    everything, places = _analytics_places(actor)
    if everything:
        return Q()
    parts = Q(pk__in=[])
    for p in places:
        if p.kind == "division":
            parts |= Q(**{f"{prefix}division__code__startswith": p.division_code})
        elif p.kind == "school":
            parts |= Q(**{f"{prefix}pk": p.school_id})
    return parts


def may_report_for(actor: Actor, school: School) -> bool:
    """School administrators of the school, bureaus above it, the platform."""
    if actor is None:
        return True
    return scope_for(actor).manages_school(school_id=school.pk, division_code=school.division_id)


def indicator_schools(indicator: Indicator) -> Q:
    """Filter on School: the schools that must report the indicator."""
    where = Q(is_active=True)
    if indicator.division_id:
        where &= Q(division__code__startswith=indicator.division_id)
    if indicator.school_types:
        where &= Q(school_type__in=indicator.school_types)
    return where


def indicator_list(*, actor: Actor) -> list[Indicator]:
    """Indicators whose scope meets the actor's: above or below one of its nodes."""
    everything, places = _analytics_places(actor)
    indicators = list(Indicator.objects.prefetch_related("targets").order_by("order", "code"))
    if everything:
        return indicators
    nodes = [p.division_code for p in places]
    return [
        i
        for i in indicators
        if not i.division_id or any(n.startswith(i.division_id) or i.division_id.startswith(n) for n in nodes)
    ]


def indicator_get(*, actor: Actor, code: str) -> Indicator:
    for indicator in indicator_list(actor=actor):
        if indicator.code == code:
            return indicator
    raise NotFound()


# ------------------------------------------------------------------------------------------ values
def target_for(indicator: Indicator, year: int) -> float | None:
    targets = sorted((t.year, t.value) for t in indicator.targets.all())
    if not targets:
        return None
    exact = [v for y, v in targets if y == year]
    if exact:
        return exact[0]
    earlier = [v for y, v in targets if y < year]
    return earlier[-1] if earlier else targets[0][1]


def meets(indicator: Indicator, value: float | None, target: float | None) -> bool | None:
    if value is None or target is None:
        return None
    if indicator.direction == IndicatorDirection.HIGHER:
        return value >= target - 1e-9
    return value <= target + 1e-9


def progress_percent(indicator: Indicator, value: float | None, target: float | None) -> int:
    """How far towards the target, 0–100, for a progress bar."""
    if value is None or not target:
        return 0
    higher = indicator.direction == IndicatorDirection.HIGHER
    share = value / target if higher else (target / value if value else 1.0)
    return max(0, min(100, round(100 * share)))


def _headcount(indicator: Indicator, school: School) -> int | None:
    if indicator.basis == IndicatorBasis.STUDENTS_PER:
        return Student.objects.filter(studying_q(), school=school).count()
    if indicator.basis == IndicatorBasis.TEACHERS_PER:
        return Staff.objects.filter(school=school, is_active=True, category=TEACHER).count()
    return None


def _value(indicator: Indicator, reported: float, headcount: int | None) -> float | None:
    if indicator.basis == IndicatorBasis.REPORTED:
        return reported
    return round(headcount / reported, 2) if reported and headcount is not None else None


def _check_reported(indicator: Indicator, reported: float) -> AnalyticsError | None:
    if reported < 0:
        return AnalyticsError.ANALYTICS_INDICATOR_NEGATIVE
    if indicator.unit == IndicatorUnit.PERCENT and indicator.basis == IndicatorBasis.REPORTED and reported > 100:
        return AnalyticsError.ANALYTICS_INDICATOR_PERCENT_RANGE
    return None


def indicator_report(
    *, actor: Actor, indicator: Indicator, school: School, year: int, reported: float, origin: Origin | None = None
) -> IndicatorValue:
    """Record (or replace) a school's value for a year; the registry headcount is read now and kept with it."""
    if not may_report_for(actor, school):
        raise Forbidden(AnalyticsError.ANALYTICS_INDICATOR_REPORT_NOT_ALLOWED.message)
    if not School.objects.filter(indicator_schools(indicator), pk=school.pk).exists():
        raise ZhijiaoError(AnalyticsError.ANALYTICS_INDICATOR_SCHOOL_NOT_COVERED, detail=school.name)
    problem = _check_reported(indicator, reported)
    if problem:
        raise ZhijiaoError(problem, field=indicator.reported_label or indicator.name)
    with transaction.atomic():
        row = _write(indicator, school, year, reported, actor=actor, source="form")
        audit_record(
            actor=actor,
            action="analytics.indicator_report",
            origin=origin or Origin(channel="web"),
            target=Target("indicator", f"{indicator.code}/{school.code}/{year}", f"{indicator.name} · {school.name}"),
        )
    return row


def _write(indicator: Indicator, school: School, year: int, reported: float, *, actor, source: str) -> IndicatorValue:
    headcount = _headcount(indicator, school)
    row, _ = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        school=school,
        year=year,
        defaults={
            "reported": reported,
            "headcount": headcount,
            "value": _value(indicator, reported, headcount),
            "source": source,
            "reported_by": actor,
            "reported_at": timezone.now(),
        },
    )
    return row


# ------------------------------------------------------------------------------------------ defining
@dataclass
class IndicatorSpec:
    code: str
    name: str
    unit: str
    direction: str
    unit_label: str = ""
    basis: str = IndicatorBasis.REPORTED
    reported_label: str = ""
    division: str = ""  # "" = the whole platform
    school_types: list[str] = field(default_factory=list)
    targets: dict[int, float] = field(default_factory=dict)
    description: str = ""
    order: int = 0


def indicator_define(*, actor: Actor | None, spec: IndicatorSpec, origin: Origin | None = None) -> Indicator:
    """Create or update an indicator and replace its targets. Bureaus define indicators for their own subtree."""
    allowed = _bureau_divisions(actor)
    if allowed is not None and not (spec.division and any(spec.division.startswith(d) for d in allowed)):
        raise Forbidden(AnalyticsError.ANALYTICS_INDICATOR_DEFINE_NOT_ALLOWED.message)
    if spec.division and not Division.objects.filter(pk=spec.division).exists():
        raise ZhijiaoError(AnalyticsError.ANALYTICS_NODE_INVALID, detail=spec.division)
    if not spec.code or not spec.name:
        raise ZhijiaoError(AnalyticsError.ANALYTICS_INDICATOR_FIELDS)
    existing = Indicator.objects.filter(code=spec.code).first()
    if existing and allowed is not None and not any((existing.division_id or "").startswith(d) for d in allowed):
        raise ZhijiaoError(AnalyticsError.ANALYTICS_INDICATOR_CODE_TAKEN, detail=spec.code)
    with transaction.atomic():
        indicator, _ = Indicator.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "unit": spec.unit,
                "unit_label": spec.unit_label,
                "direction": spec.direction,
                "basis": spec.basis,
                "reported_label": spec.reported_label,
                "division_id": spec.division or None,
                "school_types": spec.school_types,
                "description": spec.description,
                "order": spec.order,
            },
        )
        indicator.targets.all().delete()
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, year=y, value=v) for y, v in sorted(spec.targets.items())
        )
        audit_record(
            actor=actor,
            action="analytics.indicator_define",
            origin=origin or Origin(channel="web"),
            target=Target("indicator", spec.code, spec.name),
        )
    return indicator


def parse_targets(text: str) -> dict[int, float]:
    """``2020:4, 2025:3`` (or ``2020=4；2025=3``) → {2020: 4.0, 2025: 3.0}."""
    targets: dict[int, float] = {}
    for part in text.replace("；", ",").replace("，", ",").replace(";", ",").split(","):
        part = part.strip().replace("：", ":").replace("=", ":")
        if not part:
            continue
        try:
            year, value = part.split(":")
            targets[int(year)] = float(value)
        except ValueError:
            raise ZhijiaoError(AnalyticsError.ANALYTICS_INDICATOR_TARGETS, detail=part) from None
    return targets


# ------------------------------------------------------------------------------------------ reading
@dataclass
class SchoolValue:
    code: str
    name: str
    division_name: str
    reported: float | None
    headcount: int | None
    value: float | None
    target: float | None
    meets: bool | None
    reported_at: Any = None


@dataclass
class IndicatorSummary:
    indicator: Indicator
    year: int
    target: float | None
    actual: float | None
    meets: bool | None
    progress: int
    schools: int
    reported: int
    not_reported: int
    meeting: int
    rows: list[SchoolValue] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        i = self.indicator
        return {
            "code": i.code,
            "name": i.name,
            "unit": i.unit,
            "unit_label": i.unit_label,
            "direction": i.direction,
            "basis": i.basis,
            "division": i.division_id or "",
            "year": self.year,
            "target": self.target,
            "actual": self.actual,
            "meets": self.meets,
            "schools": self.schools,
            "reported": self.reported,
            "not_reported": self.not_reported,
            "meeting": self.meeting,
        }


def _node_q(node: str) -> Q:
    if not node:
        return Q()
    if len(node) == 10:
        return Q(code=node)
    return Q(division__code__startswith=node)


def indicator_summary(
    *, actor: Actor, indicator: Indicator, year: int, node: str = "", rows: bool = False
) -> IndicatorSummary:
    """Target vs actual for the indicator's schools under ``node`` that the actor may read (``rows``: per school)."""
    schools = list(
        School.objects.filter(indicator_schools(indicator), visible_schools_q(actor), _node_q(node))
        .select_related("division")
        .order_by("code")
    )
    values = {
        v.school_id: v
        for v in IndicatorValue.objects.filter(indicator=indicator, year=year, school__in=[s.pk for s in schools])
    }
    target = target_for(indicator, year)
    reported = [values[s.pk] for s in schools if s.pk in values]
    actual: float | None
    if not reported:
        actual = None
    elif indicator.unit == IndicatorUnit.COUNT:
        actual = sum(v.value or 0 for v in reported)
    elif indicator.basis != IndicatorBasis.REPORTED:
        denominator = sum(v.reported for v in reported)
        actual = round(sum(v.headcount or 0 for v in reported) / denominator, 2) if denominator else None
    else:
        known = [v.value for v in reported if v.value is not None]
        actual = round(sum(known) / len(known), 2) if known else None
    per_school = indicator.unit != IndicatorUnit.COUNT
    meeting = sum(1 for v in reported if per_school and meets(indicator, v.value, target))
    summary = IndicatorSummary(
        indicator=indicator,
        year=year,
        target=target,
        actual=actual,
        meets=meets(indicator, actual, target),
        progress=progress_percent(indicator, actual, target),
        schools=len(schools),
        reported=len(reported),
        not_reported=len(schools) - len(reported),
        meeting=meeting,
    )
    if rows:
        for s in schools:
            v = values.get(s.pk)
            summary.rows.append(
                SchoolValue(
                    code=s.code,
                    name=s.name,
                    division_name=s.division.name,
                    reported=v.reported if v else None,
                    headcount=v.headcount if v else None,
                    value=v.value if v else None,
                    target=target if per_school else None,
                    meets=meets(indicator, v.value, target) if v and per_school else None,
                    reported_at=v.reported_at if v else None,
                )
            )
    return summary


def indicator_summaries(*, actor: Actor, year: int, node: str = "") -> list[IndicatorSummary]:
    return [indicator_summary(actor=actor, indicator=i, year=year, node=node) for i in indicator_list(actor=actor)]


def school_form_rows(*, actor: Actor, school: School, year: int) -> list[tuple[Indicator, IndicatorValue | None]]:
    """The indicators a school must report, with its value for the year if there is one."""
    if not may_report_for(actor, school):
        raise NotFound()
    indicators = [
        i
        for i in Indicator.objects.order_by("order", "code")
        if School.objects.filter(indicator_schools(i), pk=school.pk).exists()
    ]
    values = {v.indicator_id: v for v in IndicatorValue.objects.filter(school=school, year=year)}
    return [(i, values.get(i.pk)) for i in indicators]


def reporting_schools(*, actor: Actor) -> list[School]:
    """Schools the actor may report for as a school administrator (the form's choices)."""
    scope = scope_for(actor)
    ids = scope.school_ids(Role.SCHOOL_ADMIN)
    return list(School.objects.filter(pk__in=ids).order_by("code"))


def current_year() -> int:
    return timezone.localdate().year


# ------------------------------------------------------------------------------------------ xlsx import
CODE_HEADER, NAME_HEADER = "学校标识码", "学校名称"


def value_header(indicator: Indicator) -> str:
    label = indicator.reported_label or indicator.name
    return f"{label}（{indicator.unit_label}）" if indicator.unit_label and indicator.basis == "reported" else label


def import_template(*, actor: Actor, indicator: Indicator, year: int, out: Path | IO[bytes]) -> None:
    """An xlsx to fill in: one row per school in the actor's scope that must report, with any value already in."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    schools = School.objects.filter(indicator_schools(indicator), visible_schools_q(actor)).order_by("code")
    values = {v.school_id: v.reported for v in IndicatorValue.objects.filter(indicator=indicator, year=year)}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{year}年"
    sheet.append([CODE_HEADER, NAME_HEADER, value_header(indicator)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for s in schools:
        sheet.append([s.code, s.name, values.get(s.pk)])
    for column, width in (("A", 16), ("B", 36), ("C", 24)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"
    sheet.freeze_panes = "A2"
    book.save(out)


@dataclass
class ImportRow:
    row: int  # the spreadsheet's row number
    code: str
    name: str
    value: str
    outcome: str  # 写入, 跳过（未填写）, 错误
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)


@dataclass
class ImportResult:
    rows: list[ImportRow]
    written: int

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def indicator_import(
    *, actor: Actor, indicator: Indicator, year: int, path: Path, origin: Origin | None = None
) -> ImportResult:
    """Import a bureau's xlsx of school values: every row is accounted for (written, skipped or rejected with its
    reasons); any rejected row and nothing is written."""
    from openpyxl import load_workbook

    if _bureau_divisions(actor) is not None and not _bureau_divisions(actor):
        raise Forbidden(AnalyticsError.ANALYTICS_INDICATOR_IMPORT_NOT_ALLOWED.message)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not an xlsx
        raise ZhijiaoError(AnalyticsError.ANALYTICS_INDICATOR_FILE_UNREADABLE) from None
    sheet = book.worksheets[0]
    table = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    header_at = next((n for n, row in enumerate(table[:20]) if CODE_HEADER in row), None)
    if header_at is None:
        raise ZhijiaoError(AnalyticsError.ANALYTICS_INDICATOR_HEADER, detail=f"{CODE_HEADER}、{NAME_HEADER}、指标值")
    header = table[header_at]
    code_at = header.index(CODE_HEADER)
    name_at = header.index(NAME_HEADER) if NAME_HEADER in header else None
    value_at = next((n for n, h in enumerate(header) if h and n not in (code_at, name_at)), None)
    if value_at is None:
        raise ZhijiaoError(AnalyticsError.ANALYTICS_INDICATOR_HEADER, detail=value_header(indicator))
    schools = {s.code: s for s in School.objects.filter(code__in=[r[code_at] for r in table if len(r) > code_at])}
    covered = set(School.objects.filter(indicator_schools(indicator)).values_list("code", flat=True))
    seen: dict[str, int] = {}
    rows: list[ImportRow] = []
    good: list[tuple[School, float]] = []
    value_field = value_header(indicator)
    for number, cells in enumerate(table[header_at + 1 :], start=header_at + 2):
        cells = cells + [""] * (max(code_at, value_at, name_at or 0) + 1 - len(cells))
        code, value = cells[code_at], cells[value_at]
        name = cells[name_at] if name_at is not None else ""
        if not any(cells):
            continue  # blank lines between blocks are not rows
        row = ImportRow(row=number, code=code, name=name, value=value, outcome="错误")
        school = schools.get(code)
        if not code:
            row.errors.append((CODE_HEADER, "必填项为空"))
        elif not (len(code) == 10 and code.isdigit()):
            row.errors.append((CODE_HEADER, "学校标识码应为10位数字"))
        elif school is None:
            row.errors.append((CODE_HEADER, "学校标识码不存在"))
        elif not may_report_for(actor, school):
            row.errors.append((CODE_HEADER, "无权填报该学校的数据"))
        elif code not in covered:
            row.errors.append((CODE_HEADER, "该学校不在本指标的填报范围内"))
        elif name and name != school.name:
            row.errors.append((NAME_HEADER, f"学校名称与标识码不符（应为“{school.name}”）"))
        if code and code in seen:
            row.errors.append((CODE_HEADER, f"与本文件第{seen[code]}行重复"))
        seen.setdefault(code, number)
        reported: float | None = None
        if value == "":
            if not row.errors:
                row.outcome = "跳过（未填写）"
        else:
            try:
                reported = float(value.rstrip("%"))
            except ValueError:
                row.errors.append((value_field, "应为数字"))
            else:
                problem = _check_reported(indicator, reported)
                if problem:
                    row.errors.append((value_field, problem.message))
        if not row.errors and reported is not None and school is not None:
            row.outcome = "写入"
            good.append((school, reported))
        rows.append(row)
    if any(r.errors for r in rows):
        for r in rows:
            if not r.errors and r.outcome == "写入":
                r.outcome = "未写入（文件中有错误行）"
        return ImportResult(rows=rows, written=0)
    with transaction.atomic():
        for school, reported in good:
            _write(indicator, school, year, reported, actor=actor, source="import")
        audit_record(
            actor=actor,
            action="analytics.indicator_import",
            origin=origin or Origin(channel="web"),
            target=Target("indicator", f"{indicator.code}/{year}", f"{indicator.name} {year}年 导入 {len(good)} 所"),
        )
    return ImportResult(rows=rows, written=len(good))


def year_choices(today: date | None = None) -> list[int]:
    year = (today or timezone.localdate()).year
    return list(range(year - 3, year + 2))

"""Early warnings (预警): rules with thresholds per node, an evaluation that opens, updates, resolves and reopens
warnings, and the people who acknowledge, resolve and reassign them.

Rules: each kind has a built-in default that holds everywhere; a rule set on a division holds in its subtree and the
deepest rule wins, so a district may tighten (or switch off) what the city set. The evaluation reads the latest
warehouse snapshot (class sizes, staffing), the registry's change times and intake batches (stale data), the latest
quality scores and this year's indicator values. One warning per (kind, school, subject): it is auto-resolved when
the condition clears and the same row is reopened when it returns, so its history stays in one place. A warning a
person resolved by hand is reopened by the next evaluation if the condition still holds.

Reading follows the statistics' scope. Acting (acknowledge, resolve, assign) is for the school's administrators,
the bureaus above it and the warning's owner; inspectors read only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Avg, Case, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from zhijiao.access.permissions import Perm, require
from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.selectors import school_admin_of_each_school, school_managers
from zhijiao.access.types import Actor
from zhijiao.analytics import metrics as m
from zhijiao.analytics.errors import AnalyticsError
from zhijiao.analytics.indicators import indicator_schools, meets, target_for, visible_schools_q
from zhijiao.analytics.models import (
    EarlyWarning,
    Indicator,
    IndicatorDirection,
    IndicatorUnit,
    IndicatorValue,
    WarningEvent,
    WarningKind,
    WarningRule,
    WarningStatus,
)
from zhijiao.analytics.selectors import _query, snapshot_latest, snapshot_tables
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.catalogue.models import QualityScore
from zhijiao.core.class_size import LARGE_CLASS, VERY_LARGE_CLASS
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.core.import_facts import import_facts
from zhijiao.identity.models import Account
from zhijiao.org.models import Division, School
from zhijiao.people.models import Staff, Student

logger = logging.getLogger("zhijiao.analytics")

# kind -> (default threshold, what the threshold means)
DEFAULTS: dict[str, tuple[float, str]] = {
    WarningKind.LARGE_CLASS: (LARGE_CLASS, "班额达到（人）"),
    WarningKind.VERY_LARGE_CLASS: (VERY_LARGE_CLASS, "班额达到（人）"),
    WarningKind.STAFFING: (0.0, "生师比高于编制标准超过（%）"),
    WarningKind.STALE: (90.0, "未更新天数超过（天）"),
    WarningKind.QUALITY: (60.0, "数据质量综合得分低于（分）"),
    WarningKind.INDICATOR: (0.0, "偏离年度目标超过（%）"),
}
OPEN_STATES = (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED)


# ------------------------------------------------------------------------------------------ rules
@dataclass(frozen=True)
class Effective:
    kind: str
    threshold: float
    enabled: bool
    rule: WarningRule | None  # None: the built-in default
    source: str  # where it was set: 系统默认, 全平台, or the division's name


def _rules_by_kind() -> dict[str, dict[str, WarningRule]]:
    rules: dict[str, dict[str, WarningRule]] = {}
    for rule in WarningRule.objects.select_related("division"):
        rules.setdefault(rule.kind, {})[rule.division_id or ""] = rule
    return rules


def _effective(rules: dict[str, dict[str, WarningRule]], kind: str, division_code: str) -> Effective:
    own = rules.get(kind, {})
    for length in (6, 4, 2, 0):
        if length > len(division_code):
            continue
        rule = own.get(division_code[:length])
        if rule is not None:
            source = rule.division.name if rule.division else "全平台"
            return Effective(kind, rule.threshold, rule.enabled, rule, source)
    return Effective(kind, DEFAULTS[kind][0], True, None, "系统默认")


def rules_effective(*, actor: Actor, node: str = "") -> list[Effective]:
    """The rule of every kind in force at ``node`` (a division code; a school's county for a school)."""
    _require_reader(actor)
    rules = _rules_by_kind()
    return [_effective(rules, kind, node) for kind in WarningKind.values]


def warning_rule_set(
    *,
    actor: Actor | None,
    kind: str,
    division: str,
    threshold: float,
    enabled: bool = True,
    origin: Origin | None = None,
) -> WarningRule:
    """Set a kind's threshold for a division's subtree ("" = the whole platform, platform administrators only)."""
    if actor is not None:  # the platform's own jobs pass no actor
        require(actor, Perm.GOVERN, division, detail=AnalyticsError.ANALYTICS_WARNING_RULE_NOT_ALLOWED.message)
    if kind not in WarningKind.values:
        raise NotFound()
    if threshold < 0:
        raise ZhijiaoError(AnalyticsError.ANALYTICS_WARNING_THRESHOLD)
    if division and not Division.objects.filter(pk=division).exists():
        raise ZhijiaoError(AnalyticsError.ANALYTICS_NODE_INVALID, detail=division)
    with transaction.atomic():
        rule, _ = WarningRule.objects.update_or_create(
            kind=kind,
            division_id=division or None,
            defaults={"threshold": threshold, "enabled": enabled, "updated_by": actor},
        )
        audit_record(
            actor=actor,
            action="analytics.warning_rule",
            origin=origin or Origin(channel="web"),
            target=Target(
                "warning_rule",
                f"{kind}/{division or 'all'}",
                f"{WarningKind(kind).label} {division or '全平台'} 阈值 {threshold:g}{'' if enabled else '（停用）'}",
            ),
        )
    return rule


# ------------------------------------------------------------------------------------------ conditions
@dataclass(frozen=True)
class Condition:
    kind: str
    school_code: str
    subject: str
    measured: float | None
    threshold: float
    detail: str
    rule: WarningRule | None


def _schools() -> dict[str, tuple[int, str]]:
    """Active schools: code -> (id, county code)."""
    return {
        code: (pk, div)
        for pk, code, div in School.objects.filter(is_active=True).values_list("pk", "code", "division_id")
    }


def _class_conditions(rules, schools) -> list[Condition]:
    try:
        snapshot = snapshot_latest()
        tables = snapshot_tables(snapshot)
    except ZhijiaoError:
        logger.warning("预警评估：尚无数据仓库快照，跳过班额与编制预警")
        return []
    found: list[Condition] = []
    sizes: dict[str, list[int]] = {}
    for row in _query(snapshot, tables, "class_sizes", m.class_sizes, ""):
        sizes.setdefault(row["school_code"], []).append(int(row["size"] or 0))
    for code, per_class in sizes.items():
        if code not in schools:
            continue
        county = schools[code][1]
        for kind in (WarningKind.LARGE_CLASS, WarningKind.VERY_LARGE_CLASS):
            rule = _effective(rules, kind, county)
            over = [s for s in per_class if s >= rule.threshold]
            if rule.enabled and over:
                detail = f"{len(over)} 个班达到或超过 {rule.threshold:g} 人，最大班额 {max(over)} 人"
                found.append(Condition(kind, code, "", max(over), rule.threshold, detail, rule.rule))
    for row in _query(snapshot, tables, "school_staffing", m.school_staffing, ""):
        code = row["school_code"]
        if code not in schools or not row["required_staff"]:
            continue
        rule = _effective(rules, WarningKind.STAFFING, schools[code][1])
        norm = row["norm"]
        limit = round(norm * (1 + rule.threshold / 100), 2)
        ratio = row["ratio"]
        if not rule.enabled or (ratio is not None and ratio <= limit):
            continue
        if ratio is None:
            detail = f"在读学生 {row['students']} 人，无在岗教职工"
        else:
            detail = f"生师比 {ratio:.1f}:1，编制标准 {norm:.1f}:1，缺编 {row['required_staff'] - row['staff']:.1f} 人"
        found.append(Condition(WarningKind.STAFFING, code, "", _round(ratio), limit, detail, rule.rule))
    return found


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _stale_conditions(rules, schools, now: datetime) -> list[Condition]:
    latest: dict[int, datetime] = dict(School.objects.filter(is_active=True).values_list("pk", "updated_at"))
    for model in (Student, Staff):
        for pk, at in model.objects.values("school_id").annotate(at=Max("updated_at")).values_list("school_id", "at"):
            if pk in latest and at and at > latest[pk]:
                latest[pk] = at
    for pk, at in import_facts().last_reported().items():
        if pk in latest and at and at > latest[pk]:
            latest[pk] = at
    found = []
    for code, (pk, county) in schools.items():
        rule = _effective(rules, WarningKind.STALE, county)
        days = (now - latest[pk]).days
        if rule.enabled and days > rule.threshold:
            detail = f"最近一次更新在 {timezone.localtime(latest[pk]):%Y-%m-%d}，已 {days} 天未更新"
            found.append(Condition(WarningKind.STALE, code, "", days, rule.threshold, detail, rule.rule))
    return found


def _quality_conditions(rules, schools) -> list[Condition]:
    newest = QualityScore.objects.filter(dataset=OuterRef("dataset")).order_by("-computed_at").values("computed_at")
    latest = QualityScore.objects.filter(school__isnull=False, computed_at=Subquery(newest[:1]))
    by_school = dict(latest.values("school__code").annotate(score=Avg("score")).values_list("school__code", "score"))
    found = []
    for code, score in by_school.items():
        if code not in schools or score is None:
            continue
        rule = _effective(rules, WarningKind.QUALITY, schools[code][1])
        if rule.enabled and score < rule.threshold:
            detail = f"各数据集质量综合得分平均 {score:.1f} 分，低于 {rule.threshold:g} 分"
            found.append(Condition(WarningKind.QUALITY, code, "", round(score, 1), rule.threshold, detail, rule.rule))
    return found


def _indicator_conditions(rules, schools, year: int) -> list[Condition]:
    found = []
    for indicator in Indicator.objects.exclude(unit=IndicatorUnit.COUNT).prefetch_related("targets"):
        target = target_for(indicator, year)
        if target is None:
            continue
        covered = School.objects.filter(indicator_schools(indicator))
        values = IndicatorValue.objects.filter(indicator=indicator, year=year, school__in=covered)
        for code, value in values.values_list("school__code", "value"):
            if code not in schools:
                continue
            rule = _effective(rules, WarningKind.INDICATOR, schools[code][1])
            slack = abs(target) * rule.threshold / 100
            limit = target - slack if indicator.direction == IndicatorDirection.HIGHER else target + slack
            if rule.enabled and value is not None and not meets(indicator, value, limit):
                sign = "≥" if indicator.direction == IndicatorDirection.HIGHER else "≤"
                unit = indicator.unit_label
                detail = f"{indicator.name} {year}年 {value:g}{unit}，目标 {sign}{target:g}{unit}"
                found.append(Condition(WarningKind.INDICATOR, code, indicator.code, value, target, detail, rule.rule))
    return found


# ------------------------------------------------------------------------------------------ evaluation
@dataclass
class EvaluationResult:
    opened: int = 0
    reopened: int = 0
    updated: int = 0
    resolved: int = 0

    def __str__(self) -> str:
        return f"新增 {self.opened}，重新打开 {self.reopened}，更新 {self.updated}，自动解除 {self.resolved}"


def _default_owners() -> dict[int, int]:
    """School id -> the account of its first school administrator (a new warning's owner)."""
    return school_admin_of_each_school()


def _event(warning: EarlyWarning, *, actor, action: str, before: str, note: str = "", at: datetime) -> None:
    WarningEvent.objects.create(
        warning=warning, at=at, actor=actor, action=action, from_status=before, to_status=warning.status, note=note
    )


def warnings_evaluate(
    *, now: datetime | None = None, year: int | None = None, origin: Origin | None = None
) -> EvaluationResult:
    """Check every rule on every active school and bring the warnings in line (run by the job, as the platform)."""
    now = now or timezone.now()
    year = year or timezone.localdate(now).year
    rules = _rules_by_kind()
    schools = _schools()
    conditions = (
        _class_conditions(rules, schools)
        + _stale_conditions(rules, schools, now)
        + _quality_conditions(rules, schools)
        + _indicator_conditions(rules, schools, year)
    )
    current = {(c.kind, c.school_code, c.subject): c for c in conditions}
    result = EvaluationResult()
    owners = _default_owners()
    # bulk writes: a city's nightly run touches thousands of warnings
    changed: list[EarlyWarning] = []
    events: list[WarningEvent] = []

    def event(warning: EarlyWarning, action: str, before: str, note: str) -> None:
        events.append(
            WarningEvent(
                warning=warning, at=now, action=action, from_status=before, to_status=warning.status, note=note
            )
        )

    with transaction.atomic():
        existing = {
            (w.kind, w.school.code, w.subject): w
            for w in EarlyWarning.objects.select_related("school").select_for_update()
        }
        new = [
            EarlyWarning(
                kind=c.kind,
                school_id=schools[c.school_code][0],
                subject=c.subject,
                owner_id=owners.get(schools[c.school_code][0]),
                first_seen=now,
                last_seen=now,
                status=WarningStatus.OPEN,
                measured=c.measured,
                threshold=c.threshold,
                detail=c.detail,
                rule=c.rule,
            )
            for key, c in current.items()
            if key not in existing
        ]
        for warning in EarlyWarning.objects.bulk_create(new, batch_size=500):
            event(warning, "opened", "", warning.detail)
        result.opened = len(new)
        for key, c in current.items():
            found = existing.get(key)
            if found is None:
                continue
            found.measured, found.threshold, found.detail, found.rule = c.measured, c.threshold, c.detail, c.rule
            found.last_seen = now
            if found.status == WarningStatus.RESOLVED:
                found.status, found.resolved_at = WarningStatus.OPEN, None
                event(found, "reopened", WarningStatus.RESOLVED, c.detail)
                result.reopened += 1
            else:
                result.updated += 1
            changed.append(found)
        for key, found in existing.items():
            if key in current or found.status == WarningStatus.RESOLVED:
                continue
            before = found.status
            found.status, found.resolved_at = WarningStatus.RESOLVED, now
            event(found, "auto_resolved", before, "预警条件已消除，系统自动解除")
            changed.append(found)
            result.resolved += 1
        EarlyWarning.objects.bulk_update(
            changed,
            ["measured", "threshold", "detail", "rule", "last_seen", "status", "resolved_at"],
            batch_size=500,
        )
        WarningEvent.objects.bulk_create(events, batch_size=1000)
        audit_record(
            actor=None,
            action="analytics.warnings_evaluate",
            origin=origin or Origin(channel="job"),
            target=Target("warnings", f"{now:%Y-%m-%d}", f"预警评估：{result}"),
        )
    logger.info("预警评估：%s", result)
    return result


# ------------------------------------------------------------------------------------------ people acting
def _require_reader(actor) -> None:
    visible_schools_q(actor)  # Forbidden for accounts without a statistics role


def may_act(actor: Actor, warning: EarlyWarning) -> bool:
    if warning.owner_id and actor is not None and warning.owner_id == actor.pk:
        return True
    return _may_manage(actor, warning.school)


def _may_manage(actor, school: School) -> bool:
    return scope_for(actor).manages_school(school_id=school.pk, division_code=school.division_id)


def _change(
    *, actor, warning: EarlyWarning, action: str, to: str | None, allowed_from: tuple[str, ...], note: str, origin
) -> EarlyWarning:
    if not may_act(actor, warning):
        raise Forbidden(AnalyticsError.ANALYTICS_WARNING_NOT_ALLOWED.message)
    if warning.status not in allowed_from:
        raise ZhijiaoError(AnalyticsError.ANALYTICS_WARNING_STATUS, detail=warning.get_status_display(), status=409)
    now = timezone.now()
    with transaction.atomic():
        before = warning.status
        if to is not None:
            warning.status = to
            warning.resolved_at = now if to == WarningStatus.RESOLVED else None
        warning.save()
        _event(warning, actor=actor, action=action, before=before, note=note.strip()[:500], at=now)
        audit_record(
            actor=actor,
            action=f"analytics.warning_{action}",
            origin=origin or Origin(channel="web"),
            target=Target("warning", str(warning.pk), f"{warning.get_kind_display()} · {warning.school.name}"),
        )
    return warning


def warning_acknowledge(
    *, actor: Actor | None, warning: EarlyWarning, note: str = "", origin: Origin | None = None
) -> EarlyWarning:
    """确认: the owner has seen it and is dealing with it."""
    return _change(
        actor=actor,
        warning=warning,
        action="acknowledged",
        to=WarningStatus.ACKNOWLEDGED,
        allowed_from=(WarningStatus.OPEN,),
        note=note,
        origin=origin,
    )


def warning_resolve(
    *, actor: Actor, warning: EarlyWarning, note: str = "", origin: Origin | None = None
) -> EarlyWarning:
    """解除 by hand (the next evaluation reopens it if the condition still holds)."""
    return _change(
        actor=actor,
        warning=warning,
        action="resolved",
        to=WarningStatus.RESOLVED,
        allowed_from=OPEN_STATES,
        note=note,
        origin=origin,
    )


def warning_assign(
    *, actor: Actor, warning: EarlyWarning, owner: Account, note: str = "", origin: Origin | None = None
) -> EarlyWarning:
    """Hand the warning to another account that manages the school (its administrator or a bureau above it)."""
    if not _may_manage(owner, warning.school):
        raise ZhijiaoError(AnalyticsError.ANALYTICS_WARNING_OWNER)
    warning.owner = owner
    label = owner.display_name or owner.username
    return _change(
        actor=actor,
        warning=warning,
        action="assigned",
        to=None,
        allowed_from=OPEN_STATES,
        note=f"负责人改为 {label}" + (f"：{note.strip()}" if note.strip() else ""),
        origin=origin,
    )


# ------------------------------------------------------------------------------------------ reading
def warning_list(
    *, actor: Actor, status: str = "", kind: str = "", school: str = "", node: str = "", mine: bool = False
) -> QuerySet[EarlyWarning]:
    """Warnings on the schools the actor may read, newest first; filters by status ("active": open or
    acknowledged), kind, school code (or name part), node (division or school code) and owner."""
    rows = EarlyWarning.objects.filter(visible_schools_q(actor, prefix="school__")).select_related(
        "school", "school__division", "owner"
    )
    if status == "active":
        rows = rows.filter(status__in=OPEN_STATES)
    elif status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if school:
        rows = rows.filter(Q(school__code=school) | Q(school__name__contains=school))
    if node:
        rows = (
            rows.filter(school__code=node) if len(node) == 10 else rows.filter(school__division__code__startswith=node)
        )
    if mine:
        rows = rows.filter(owner_id=actor.pk)
    urgency = Case(
        When(status=WarningStatus.OPEN, then=Value(0)),
        When(status=WarningStatus.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
    )
    return rows.order_by(urgency, "-last_seen", "-pk")


def warning_get(*, actor: Actor, pk: int) -> EarlyWarning:
    found = warning_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def warning_owner_choices(*, warning: EarlyWarning) -> list[Account]:
    """Accounts a warning may be handed to: the school's administrators and the bureaus above it."""
    ids = school_managers(warning.school)
    accounts = Account.objects.in_bulk(ids)
    return [accounts[i] for i in ids]


@dataclass
class HomeCard:
    active: int
    open: int
    mine: int
    latest: list[EarlyWarning]


def warning_home_card(*, actor: Actor) -> HomeCard | None:
    """The home page's 待处理预警 card: for owners and for administrators who may act; None for others."""
    scope = scope_for(actor)
    if not (scope.is_platform_admin or scope.has(Role.REGION_ADMIN, Role.SCHOOL_ADMIN)):
        if not EarlyWarning.objects.filter(owner_id=actor.pk, status__in=OPEN_STATES).exists():
            return None
        rows = EarlyWarning.objects.filter(owner_id=actor.pk).select_related("school")
    else:
        rows = warning_list(actor=actor)
    active = rows.filter(status__in=OPEN_STATES)
    return HomeCard(
        active=active.count(),
        open=active.filter(status=WarningStatus.OPEN).count(),
        mine=active.filter(owner_id=actor.pk).count(),
        latest=list(active[:5]),
    )

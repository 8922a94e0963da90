"""Early warnings: each rule fires and clears on hand-built data, status changes keep their history, scope holds.

Class sizes and staffing come from hand-built snapshots of the test region's three schools (A and B in 东西湖区
420112, C in 江岸区 420102); stale data, quality and indicators from the registry and the database.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhijiao.analytics import indicators as ind
from zhijiao.analytics import warnings as w
from zhijiao.analytics.models import EarlyWarning, Snapshot, WarningKind, WarningStatus
from zhijiao.analytics.tests.conftest import frame
from zhijiao.analytics.warehouse import SCHEMAS, frames_write
from zhijiao.audit.models import AuditEvent
from zhijiao.catalogue.models import Dataset, QualityScore
from zhijiao.core.errors import Forbidden, NotFound, ZhijiaoError
from zhijiao.testing import login_as

DXH, JA = "420112", "420102"


def snapshot(region, day: date, *, sizes: dict[str, list[int]], staff: dict[str, int] | None = None) -> Snapshot:
    """A snapshot of the region's schools with classes of the given sizes (all 小学) and staff counts."""
    staff = staff or {}
    schools, classes, students, posts = [], [], [], []
    class_id = 0
    for key in ("A", "B", "C"):
        s = region.schools[key]
        where = {"school_id": s.pk, "school_code": s.code, "division_code": s.division_id}
        schools.append({**where, "name": s.name, "school_type": "211", "stages": "2", "is_active": True})
        for size in sizes.get(key, []):
            class_id += 1
            classes.append({**where, "class_id": class_id, "stage": "2", "number": class_id, "is_active": True})
            students += [{**where, "class_id": class_id, "stage": "2", "status": "01"} for _ in range(size)]
        posts += [{**where, "category": "11", "is_active": True} for _ in range(staff.get(key, 10))]
    frames = {name: frame(name, []) for name in SCHEMAS}
    frames.update(
        schools=frame("schools", schools),
        classes=frame("classes", classes),
        students=frame("students", students),
        staff=frame("staff", posts),
    )
    folder = frames_write(frames, day=day, manifest={})
    return Snapshot.objects.create(taken_on=day, taken_at=timezone.now(), path=str(folder))


def active(kind: str) -> dict[str, EarlyWarning]:
    return {x.school.code: x for x in EarlyWarning.objects.filter(kind=kind).exclude(status=WarningStatus.RESOLVED)}


def test_oversized_classes_fire_clear_and_reopen_on_the_same_row(region):
    a = region.schools["A"]
    snapshot(region, date(2026, 11, 1), sizes={"A": [60, 70, 40], "B": [45]})
    result = w.warnings_evaluate()
    assert result.opened == 2
    large, very = active(WarningKind.LARGE_CLASS)[a.code], active(WarningKind.VERY_LARGE_CLASS)[a.code]
    assert (large.measured, large.threshold, large.status) == (70, 56, WarningStatus.OPEN)
    assert large.detail == "2 个班达到或超过 56 人，最大班额 70 人"
    assert (very.measured, very.threshold) == (70, 66)
    assert large.owner == region.accounts["principal"]  # the school's administrator by default
    assert set(active(WarningKind.LARGE_CLASS)) == {a.code}

    snapshot(region, date(2026, 11, 2), sizes={"A": [50, 50, 40], "B": [45]})
    result = w.warnings_evaluate()
    assert result.resolved == 2
    large.refresh_from_db()
    assert large.status == WarningStatus.RESOLVED and large.resolved_at is not None
    assert [e.action for e in large.events.all()] == ["opened", "auto_resolved"]

    snapshot(region, date(2026, 11, 3), sizes={"A": [57, 50, 40]})
    result = w.warnings_evaluate()
    assert (result.opened, result.reopened) == (0, 1)
    large.refresh_from_db()
    assert (large.status, large.measured, large.resolved_at) == (WarningStatus.OPEN, 57, None)
    assert [e.action for e in large.events.all()] == ["opened", "auto_resolved", "reopened"]
    assert EarlyWarning.objects.filter(kind=WarningKind.LARGE_CLASS).count() == 1
    assert not active(WarningKind.VERY_LARGE_CLASS)
    assert AuditEvent.objects.filter(action="analytics.warnings_evaluate").count() == 3


def test_a_district_rule_overrides_the_platform_default_in_its_subtree(region):
    a, c = region.schools["A"], region.schools["C"]
    snapshot(region, date(2026, 11, 1), sizes={"A": [50], "C": [50]})
    assert not w.warnings_evaluate().opened
    w.warning_rule_set(actor=region.accounts["bureau"], kind=WarningKind.LARGE_CLASS, division=DXH, threshold=50)
    w.warnings_evaluate()
    assert set(active(WarningKind.LARGE_CLASS)) == {a.code}  # 江岸区 keeps the default 56
    w.warning_rule_set(actor=region.accounts["admin"], kind=WarningKind.LARGE_CLASS, division="", threshold=45)
    w.warning_rule_set(
        actor=region.accounts["bureau"], kind=WarningKind.LARGE_CLASS, division=DXH, threshold=50, enabled=False
    )
    w.warnings_evaluate()
    assert set(active(WarningKind.LARGE_CLASS)) == {c.code}  # switched off in 东西湖区, 45 elsewhere
    effective = {r.kind: r for r in w.rules_effective(actor=region.accounts["bureau"], node=DXH)}
    assert (effective[WarningKind.LARGE_CLASS].enabled, effective[WarningKind.LARGE_CLASS].source) == (
        False,
        "东西湖区",
    )
    assert effective[WarningKind.STALE].source == "系统默认"
    with pytest.raises(Forbidden):  # a district bureau cannot set rules for another district or the platform
        w.warning_rule_set(actor=region.accounts["bureau"], kind=WarningKind.LARGE_CLASS, division=JA, threshold=1)
    with pytest.raises(Forbidden):
        w.warning_rule_set(actor=region.accounts["bureau"], kind=WarningKind.LARGE_CLASS, division="", threshold=1)


def test_staffing_below_the_norm_fires_and_clears(region):
    a = region.schools["A"]
    # 小学 norm 19:1. A: 100 pupils, 5 staff = 20:1 (above the norm); B: 38 pupils, 2 staff = 19:1 (at it)
    snapshot(region, date(2026, 11, 1), sizes={"A": [50, 50], "B": [38]}, staff={"A": 5, "B": 2})
    w.warnings_evaluate()
    warning = active(WarningKind.STAFFING)
    assert set(warning) == {a.code}
    assert (warning[a.code].measured, warning[a.code].threshold) == (20.0, 19.0)
    assert "缺编 0.3 人" in warning[a.code].detail
    # a 10% margin: 20:1 is within 19 × 1.1 = 20.9
    w.warning_rule_set(actor=None, kind=WarningKind.STAFFING, division="", threshold=10)
    w.warnings_evaluate()
    assert not active(WarningKind.STAFFING)
    w.warning_rule_set(actor=None, kind=WarningKind.STAFFING, division="", threshold=0)
    snapshot(region, date(2026, 11, 2), sizes={"A": [50, 50], "B": [38]}, staff={"A": 6, "B": 2})
    w.warnings_evaluate()
    assert not active(WarningKind.STAFFING)
    assert EarlyWarning.objects.get(kind=WarningKind.STAFFING).status == WarningStatus.RESOLVED


def test_stale_data_fires_after_the_threshold_and_clears_after_an_update(region):
    now = timezone.now()
    w.warnings_evaluate(now=now)
    assert not active(WarningKind.STALE)
    later = now + timedelta(days=91)
    w.warnings_evaluate(now=later)
    stale = active(WarningKind.STALE)
    assert set(stale) == {s.code for s in region.schools.values()}
    assert stale[region.schools["A"].code].measured == 91
    # school A's registry changes (a student record is written): the next check on that day clears A only
    student = region.students["s1"]
    type(student).objects.filter(pk=student.pk).update(updated_at=later - timedelta(days=1))
    w.warnings_evaluate(now=later)
    assert set(active(WarningKind.STALE)) == {region.schools["B"].code, region.schools["C"].code}


def test_low_quality_scores_fire_and_clear(region):
    dataset = Dataset.objects.order_by("pk").first() or Dataset.objects.create(
        code="students", name="学生", provider="x"
    )
    first = timezone.now() - timedelta(days=1)
    QualityScore.objects.create(dataset=dataset, school=region.schools["A"], computed_at=first, score=40)
    QualityScore.objects.create(dataset=dataset, school=region.schools["B"], computed_at=first, score=90)
    w.warnings_evaluate()
    assert set(active(WarningKind.QUALITY)) == {region.schools["A"].code}
    assert active(WarningKind.QUALITY)[region.schools["A"].code].measured == 40
    QualityScore.objects.create(dataset=dataset, school=region.schools["A"], computed_at=timezone.now(), score=75)
    w.warnings_evaluate()
    assert not active(WarningKind.QUALITY)


def test_an_indicator_behind_its_target_fires_and_clears(region):
    coverage = ind.indicator_define(
        actor=None,
        spec=ind.IndicatorSpec(
            code="wifi", name="无线网络覆盖率", unit="percent", unit_label="%", direction="higher", targets={2025: 100}
        ),
    )
    year = timezone.localdate().year
    ind.indicator_report(actor=None, indicator=coverage, school=region.schools["A"], year=year, reported=80)
    ind.indicator_report(actor=None, indicator=coverage, school=region.schools["B"], year=year, reported=100)
    w.warnings_evaluate()
    behind = active(WarningKind.INDICATOR)
    assert set(behind) == {region.schools["A"].code}
    assert (behind[region.schools["A"].code].subject, behind[region.schools["A"].code].measured) == ("wifi", 80)
    w.warning_rule_set(actor=None, kind=WarningKind.INDICATOR, division="", threshold=25)  # within 25% of 100
    w.warnings_evaluate()
    assert not active(WarningKind.INDICATOR)
    w.warning_rule_set(actor=None, kind=WarningKind.INDICATOR, division="", threshold=0)
    ind.indicator_report(actor=None, indicator=coverage, school=region.schools["A"], year=year, reported=100)
    w.warnings_evaluate()
    assert not active(WarningKind.INDICATOR)


@pytest.fixture
def large(region) -> EarlyWarning:
    snapshot(region, date(2026, 11, 1), sizes={"A": [60], "B": [60]})
    w.warnings_evaluate()
    return active(WarningKind.LARGE_CLASS)[region.schools["A"].code]


def test_status_changes_are_kept_in_the_history_and_audited(region, large):
    principal, bureau = region.accounts["principal"], region.accounts["bureau"]
    w.warning_acknowledge(actor=principal, warning=large, note="已安排分班")
    with pytest.raises(ZhijiaoError) as wrong:
        w.warning_acknowledge(actor=principal, warning=large)
    assert wrong.value.status == 409
    with pytest.raises(ZhijiaoError):  # a teacher does not manage the school
        w.warning_assign(actor=bureau, warning=large, owner=region.accounts["teacher"])
    w.warning_assign(actor=principal, warning=large, owner=bureau, note="请教育局协调")
    assert large.owner == bureau
    w.warning_resolve(actor=bureau, warning=large, note="已增设班级")
    large.refresh_from_db()
    assert large.status == WarningStatus.RESOLVED
    history = [
        (e.action, e.actor.username if e.actor else None, e.from_status, e.to_status) for e in large.events.all()
    ]
    assert history == [
        ("opened", None, "", "open"),
        ("acknowledged", "principal", "open", "acknowledged"),
        ("assigned", "principal", "acknowledged", "acknowledged"),
        ("resolved", "bureau", "acknowledged", "resolved"),
    ]
    assert large.events.get(action="assigned").note == "负责人改为 bureau：请教育局协调"
    actions = set(AuditEvent.objects.filter(action__startswith="analytics.warning_").values_list("action", flat=True))
    assert actions == {"analytics.warning_acknowledged", "analytics.warning_assigned", "analytics.warning_resolved"}
    # resolved by hand while the class is still oversized: the next evaluation reopens it
    w.warnings_evaluate()
    large.refresh_from_db()
    assert large.status == WarningStatus.OPEN and large.events.last().action == "reopened"


def test_each_account_sees_and_acts_on_warnings_in_its_scope(client, region, large):
    b_warning = active(WarningKind.LARGE_CLASS)[region.schools["B"].code]
    principal = region.accounts["principal"]
    assert [x.school.code for x in w.warning_list(actor=principal)] == [region.schools["A"].code]
    with pytest.raises(NotFound):
        w.warning_get(actor=principal, pk=b_warning.pk)
    assert {x.pk for x in w.warning_list(actor=region.accounts["bureau"])} == {large.pk, b_warning.pk}
    with pytest.raises(Forbidden):  # inspectors read, they do not act
        w.warning_acknowledge(actor=region.accounts["inspector"], warning=large)

    login_as(client, "principal")
    page = client.get("/api/v1/analytics/warnings", {"status": "open"}).json()
    assert page["count"] == 1
    assert [(r["school_code"], r["kind"], r["owner"]) for r in page["items"]] == [
        ("3420112001", "large_class", "principal")
    ]
    login_as(client, "bureau")
    page = client.get("/api/v1/analytics/warnings", {"node": "3420112002", "limit": 5}).json()
    assert (page["count"], [r["school_code"] for r in page["items"]]) == (1, ["3420112002"])
    second = client.get("/api/v1/analytics/warnings", {"offset": 1, "limit": 1}).json()
    assert (second["count"], len(second["items"])) == (2, 1)
    login_as(client, "principal")
    assert client.get(f"/analytics/warnings/{b_warning.pk}/").status_code == 404
    assert client.post(f"/analytics/warnings/{b_warning.pk}/acknowledge/").status_code == 404
    detail = client.get(f"/analytics/warnings/{large.pk}/")
    assert detail.status_code == 200 and "处理记录" in detail.content.decode()
    response = client.post(f"/analytics/warnings/{large.pk}/acknowledge/", {"note": "已知悉"})
    assert response.status_code == 302
    large.refresh_from_db()
    assert large.status == WarningStatus.ACKNOWLEDGED

    home = client.get("/").content.decode()
    assert "待处理预警" in home and f'href="/analytics/warnings/{large.pk}/"' in home
    listing = client.get("/analytics/warnings/", {"status": "all"})
    assert listing.status_code == 200 and listing.context["page"].paginator.count == 1

    login_as(client, "teacher")
    assert client.get("/api/v1/analytics/warnings").status_code == 403
    assert "待处理预警" not in client.get("/").content.decode()


def test_a_bureau_sets_a_rule_for_its_district_on_the_rules_page(client, region):
    login_as(client, "bureau")
    page = client.get("/analytics/warnings/rules/")
    assert page.status_code == 200 and page.context["node"] == DXH
    response = client.post(
        "/analytics/warnings/rules/", {"node": DXH, "kind": "large_class", "threshold": "50", "enabled": "1"}
    )
    assert response.status_code == 302
    rules = {r["rule"].kind: r["rule"] for r in client.get("/analytics/warnings/rules/").context["rules"]}
    assert (rules["large_class"].threshold, rules["large_class"].source) == (50, "东西湖区")
    client.post("/analytics/warnings/rules/", {"node": JA, "kind": "large_class", "threshold": "40", "enabled": "1"})
    assert not EarlyWarning.objects.exists()
    assert {r["rule"].threshold for r in client.get(f"/analytics/warnings/rules/?node={JA}").context["rules"]} >= {56}


def test_operators_run_the_evaluation_from_the_command_line(region):
    snapshot(region, date(2026, 11, 1), sizes={"A": [60]})
    out = io.StringIO()
    call_command("analytics", "warnings", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"opened": 1, "reopened": 0, "updated": 0, "resolved": 0}
    call_command("analytics", "warnings", stdout=out)
    assert "预警评估完成：新增 0，重新打开 0，更新 1，自动解除 0" in out.getvalue()

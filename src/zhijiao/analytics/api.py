"""/api/v1/analytics: a node's key figures and each metric's rows from the latest snapshot, scoped to the caller."""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema

from zhijiao.analytics import indicators as indicator_selectors
from zhijiao.analytics import selectors
from zhijiao.analytics import warnings as warning_selectors
from zhijiao.core.params import Code, Count, Year

router = Router(tags=["统计分析"])


class NodeOut(Schema):
    code: str
    name: str
    kind: str
    division_code: str
    school_type: str
    school_type_name: str
    path: list[dict[str, str]]


class SnapshotOut(Schema):
    date: str
    taken_at: str


class StageOut(Schema):
    stage: str
    stage_name: str
    students: int
    classes: int
    mean_class_size: float | None
    large_classes: int
    very_large_classes: int
    staffing_norm: float | None


class FiguresOut(Schema):
    node: NodeOut
    snapshot: SnapshotOut
    schools: int
    classes: int
    students: int
    staff: int
    teachers: int
    bureau_staff: int
    student_staff_ratio: float | None
    student_teacher_ratio: float | None
    staffing_norm: float | None
    required_staff: float | None
    staff_gap: float | None
    schools_below_norm: int
    large_classes: int
    very_large_classes: int
    large_class_share: float | None
    mean_class_size: float | None
    median_class_size: float | None
    by_stage: list[StageOut]
    quality_mean: float | None = None
    quality_completeness: float | None = None
    quality_validity: float | None = None
    quality_timeliness: float | None = None
    quality_schools: int = 0
    schools_low_quality: int = 0


class MetricOut(Schema):
    metric: str
    title: str
    node: NodeOut
    snapshot: SnapshotOut | None = None
    rows: list[dict[str, Any]]


class SnapshotListOut(Schema):
    date: str
    taken_at: str
    rows: dict[str, int]
    duration_ms: int


@router.get("/metrics", response=FiguresOut, summary="节点关键指标（学校、班级、学生、教职工、生师比、大班额……）")
def node_figures(request, node: Code = ""):
    """``node``: 2/4/6-digit division code or a 10-digit 学校标识码; empty: the caller's own widest node."""
    return selectors.node_figures(actor=request.auth, node=node)


@router.get("/metrics/trend", response=MetricOut, summary="各次快照的学校、班级、学生、教职工数")
def trend(request, node: Code = ""):
    return selectors.trend_rows(actor=request.auth, node=node)


@router.get("/metrics/{metric}", response=MetricOut, summary="单项指标明细")
def metric(request, metric: Code, node: Code = ""):
    return selectors.metric_rows(actor=request.auth, metric=metric, node=node)


@router.get("/snapshots", response=list[SnapshotListOut], summary="数据仓库快照列表")
def snapshots(request):
    return [
        {
            "date": f"{s.taken_on:%Y-%m-%d}",
            "taken_at": s.taken_at.isoformat(),
            "rows": s.rows,
            "duration_ms": s.duration_ms,
        }
        for s in selectors.snapshot_list(actor=request.auth)
    ]


# ------------------------------------------------------------------------------------------ plan indicators, warnings
class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    unit_label: str
    direction: str
    basis: str
    division: str
    year: int
    target: float | None
    actual: float | None
    meets: bool | None
    schools: int
    reported: int
    not_reported: int
    meeting: int


@router.get("/indicators", response=list[IndicatorOut], summary="规划指标：目标值、实际值、已填报与未填报学校数")
def indicators(request, node: Code = "", year: Year | None = None):
    """``node``: a division code or 学校标识码 (empty: everything the caller may read); ``year``: this year."""
    return [
        s.as_dict()
        for s in indicator_selectors.indicator_summaries(
            actor=request.auth, year=year or indicator_selectors.current_year(), node=node
        )
    ]


class WarningOut(Schema):
    id: int
    kind: str
    kind_name: str
    school_code: str
    school_name: str
    subject: str
    measured: float | None
    threshold: float | None
    detail: str
    status: str
    status_name: str
    owner: str | None
    first_seen: str
    last_seen: str
    resolved_at: str | None


class WarningPageOut(Schema):
    items: list[WarningOut]
    count: int


@router.get(
    "/warnings", response=WarningPageOut, summary="预警列表（status：open、acknowledged、resolved 或 active），分页"
)
def warnings(request, node: Code = "", status: Code = "", kind: Code = "", limit: Count = 100, offset: Count = 0):
    rows = warning_selectors.warning_list(actor=request.auth, node=node, status=status, kind=kind)
    limit, offset = max(1, min(limit, 1000)), max(0, offset)
    return {
        "count": rows.count(),
        "items": [
            {
                "id": w.pk,
                "kind": w.kind,
                "kind_name": w.get_kind_display(),
                "school_code": w.school.code,
                "school_name": w.school.name,
                "subject": w.subject,
                "measured": w.measured,
                "threshold": w.threshold,
                "detail": w.detail,
                "status": w.status,
                "status_name": w.get_status_display(),
                "owner": w.owner.username if w.owner else None,
                "first_seen": w.first_seen.isoformat(),
                "last_seen": w.last_seen.isoformat(),
                "resolved_at": w.resolved_at.isoformat() if w.resolved_at else None,
            }
            for w in rows[offset : offset + limit]
        ],
    }

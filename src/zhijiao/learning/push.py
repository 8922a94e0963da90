"""学情推送: a class's weak points → targeted practice as a layered homework DRAFT the teacher approves with one click.

From the diagnosis' ``Mastery`` rows (never a model): a pupil's point is *weak* below :data:`WEAK` (0.6). Pupils
with weak points are layered by their mean mastery of the subject: below 0.4 基础, below 0.6 提高, else 拓展 (a good
pupil with one gap gets harder practice on it). Each layer's paper holds, for the layer's weakest points (most
pupils weak first, up to :data:`POINTS_PER_LAYER`), approved items on the point of the layer's difficulty band that
the layer's pupils have not answered yet (variants), falling back to items they got wrong (错题) when the bank has no
unseen one. Resources for each pupil's weak points come from ``resources_for_knowledge_points`` and are shown on
their homework (``pupil_resources``), not stored: they follow the newest mastery.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.audit.services import Origin
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import KnowledgePoint
from zhijiao.learning import homework, paper_selectors, selectors
from zhijiao.learning import homework_selectors as hs
from zhijiao.learning.assembly import Candidate
from zhijiao.learning.errors import LearningError
from zhijiao.learning.models import (
    Answer,
    Assignment,
    AssignmentOrigin,
    AssignmentTier,
    Mastery,
    Paper,
    PaperItem,
    PaperStatus,
)
from zhijiao.people.models import Student
from zhijiao.resources.recommend import Recommendation, resources_for_knowledge_points

WEAK = 0.6
POINTS_PER_LAYER = 5
ITEMS_PER_POINT = 2
BANDS: dict[str, tuple[int, int]] = {
    AssignmentTier.BASIC: (1, 2),
    AssignmentTier.IMPROVING: (2, 4),
    AssignmentTier.EXTENSION: (3, 5),
}


def tier_for(mean: float) -> str:
    return AssignmentTier.BASIC if mean < 0.4 else AssignmentTier.IMPROVING if mean < WEAK else AssignmentTier.EXTENSION


@dataclass
class Layer:
    tier: str
    pupils: list[Student] = field(default_factory=list)
    points: list[KnowledgePoint] = field(default_factory=list)
    items: list[Candidate] = field(default_factory=list)

    @property
    def label(self) -> str:
        return AssignmentTier(self.tier).label


@dataclass
class PushPlan:
    layers: list[Layer]
    weak: dict[int, list[int]]  # student id → weak point ids (weakest first)
    no_data: int = 0  # pupils of the class without any mastery estimate


def plan(*, actor: Actor, class_id: int, stage: str, subject: str) -> PushPlan:
    """What a push for this class would hold (read only; ``push_draft`` writes it)."""
    if not hs.assignable_classes(actor=actor, class_ids=[class_id]):
        raise ZhijiaoError(LearningError.LEARNING_HOMEWORK_NOT_YOURS, status=403)
    pupils = {s.pk: s for s in Student.objects.filter(school_class_id=class_id).select_related("person")}
    rows = list(
        Mastery.objects.filter(student_id__in=list(pupils), subject=subject).values_list(
            "student_id", "knowledge_point_id", "estimate"
        )
    )
    by_pupil: dict[int, list[tuple[float, int]]] = {}
    for sid, pid, est in rows:
        by_pupil.setdefault(sid, []).append((est, pid))
    weak = {sid: [pid for est, pid in sorted(v) if est < WEAK] for sid, v in by_pupil.items()}
    layers: dict[str, Layer] = {t: Layer(t) for t in BANDS}
    for sid, points in weak.items():
        if points:
            mean = sum(e for e, _ in by_pupil[sid]) / len(by_pupil[sid])
            layers[tier_for(mean)].pupils.append(pupils[sid])
    candidates = paper_selectors.paper_candidates(actor=actor, stage=stage, subject=subject)
    names = {}
    for layer in layers.values():
        if not layer.pupils:
            continue
        counts = Counter(p for s in layer.pupils for p in weak[s.pk])
        top = [p for p, _ in counts.most_common(POINTS_PER_LAYER)]
        names.update({k.pk: k for k in KnowledgePoint.objects.filter(pk__in=[p for p in top if p not in names])})
        layer.points = [names[p] for p in top if p in names]
        layer.items = _practice(layer, top, candidates)
    return PushPlan(
        layers=[lay for lay in layers.values() if lay.pupils],
        weak=weak,
        no_data=len(set(pupils) - set(by_pupil)),
    )


def _practice(layer: Layer, points: Sequence[int], candidates: Sequence[Candidate]) -> list[Candidate]:
    low, high = BANDS[layer.tier]
    ids = [s.pk for s in layer.pupils]
    done = set(Answer.objects.filter(submission__student_id__in=ids).values_list("entry__item_id", flat=True))
    wrong = set(
        Answer.objects.filter(
            submission__student_id__in=ids, score__isnull=False, score__lt=F("entry__points")
        ).values_list("entry__item_id", flat=True)
    )
    chosen: dict[int, Candidate] = {}
    for p in points:
        on_point = [c for c in candidates if p in c.points_ids and c.item_id not in chosen]
        in_band = sorted(
            (c for c in on_point if low <= c.difficulty <= high), key=lambda c: (abs(c.difficulty - low), c.item_id)
        )
        fresh = [c for c in in_band if c.item_id not in done]
        again = [c for c in on_point if c.item_id in wrong]  # 错题: do it again when nothing new is left
        for c in (fresh + again)[:ITEMS_PER_POINT]:
            chosen[c.item_id] = c
    return list(chosen.values())


@transaction.atomic
def push_draft(
    *, actor: Actor, class_id: int, stage: str, subject: str, origin: Origin, now: datetime | None = None
) -> list[Assignment]:
    """Write the plan as a layered homework DRAFT (origin 学情推送): one READY paper per layer, the pupils planned."""
    now = now or timezone.now()
    p = plan(actor=actor, class_id=class_id, stage=stage, subject=subject)
    layers = [lay for lay in p.layers if lay.items]
    if not layers:
        raise ZhijiaoError(
            LearningError.LEARNING_HOMEWORK_INVALID,
            detail="没有可推送的练习：本班还没有薄弱知识点的诊断结果，或题库中没有这些知识点的已审核试题",
        )
    owner = selectors.item_owner(actor)
    if owner is None:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NO_OWNER, status=403)
    school, division = owner
    stamp = timezone.localtime(now).strftime("%m-%d")
    papers: dict[str, int | None] = {}
    for lay in layers:
        paper = Paper.objects.create(
            title=f"学情推送练习 {stamp}（{lay.label}）",
            stage=stage,
            subject=subject,
            author=actor,  # type: ignore[misc]
            owner_school=school,
            owner_division=division,
            status=PaperStatus.READY,
        )
        PaperItem.objects.bulk_create(
            PaperItem(paper=paper, item_id=c.item_id, version_id=c.version_id, order=n,
                      points=Decimal(str(c.points)).quantize(Decimal("0.1")))
            for n, c in enumerate(lay.items, start=1)
        )  # fmt: skip
        papers[lay.tier] = paper.pk
    layer_of = {s.pk: lay.tier for lay in layers for s in lay.pupils}
    spec = homework.AssignSpec(
        title=f"学情推送练习 {stamp}",
        opens_at=now,
        due_at=now + timedelta(days=7),
        note="根据最近的学情诊断，针对你的薄弱知识点推送的练习和学习资源。",
    )
    return homework.layered_publish(
        actor=actor,
        class_id=class_id,
        papers=papers,
        layers=layer_of,
        spec=spec,
        origin=origin,
        origin_kind=AssignmentOrigin.PUSH,
        draft=True,
        require_all=False,
    )


def pupil_resources(*, actor: Actor, assignment: Assignment, limit: int = 6) -> list[Recommendation]:
    """On a pupil's homework: resources for their weak points among the paper's knowledge points (push work), or
    for the paper's points they are weak on (any work), as the diagnosis stands now."""
    me = hs.own_student(actor=actor)
    if me is None:
        return []
    paper_points = set(
        KnowledgePoint.objects.filter(items__in=PaperItem.objects.filter(paper_id=assignment.paper_id).values("item_id"))
        .values_list("pk", flat=True)
    )  # fmt: skip
    weak = list(
        Mastery.objects.filter(student=me, knowledge_point_id__in=paper_points, estimate__lt=WEAK)
        .order_by("estimate")
        .values_list("knowledge_point_id", flat=True)[:10]
    )
    if not weak:
        return []
    return resources_for_knowledge_points(actor=actor, points=weak, limit=limit)

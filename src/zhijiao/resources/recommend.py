"""Resources for a learner's weak knowledge points: :func:`resources_for_knowledge_points`.

The precise-teaching work (assessments → mastery per knowledge point) asks this selector what to push to a pupil
for the points they have not mastered. It only reads: what the actor may see (``resource_visible_qs``, published
only), tagged with the points, ranked for a learner.

Ranking, strongest first (each step decides only between resources the steps before it leave equal):

1. resources the actor already played or downloaded (``UsageEvent``) go last, when ``exclude_seen``;
2. resources for the asked point come before the prerequisite fallback (see below);
3. learner-facing types (微课, 学案, 试题, 试卷, 课件) before media material, and teachers' 教案/案例 last;
4. the learner's grade (a student's class; ``grade=`` for anyone else) before other grades, untagged in between;
5. the type's own order (微课 before 学案 before 试题 …), then quality: ``value_score`` (0–100, the value job)
   and ``rating_avg`` (0–5) together;
6. newest first.

``score`` is that order as one number (higher is better), for callers that merge lists.

Prerequisite fallback: when a point has fewer than ``few`` resources of its own, resources tagged with its
prerequisites (``KnowledgePoint.prerequisites``, one level) fill in, marked ``prerequisite_of`` and with a reason
that says so. Bounded queries whatever the number of points or resources: the points and their prerequisites,
the actor's grants (and class), one query for the candidates, one for what the actor has used, one for the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from zhijiao.access.roles import Role
from zhijiao.access.scope import scope_for
from zhijiao.access.types import Actor
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import KnowledgePoint
from zhijiao.org.grades import grade_code
from zhijiao.org.models import SchoolClass
from zhijiao.org.selectors import current_school_year
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.models import Resource, ResourceStatus, ResourceType, UsageEvent, UsageKind
from zhijiao.resources.visibility import resource_visible_qs

# learner-facing types in the order a pupil gets most from them (the weight also orders them within the tier)
LEARNER_TYPES: dict[str, float] = {
    ResourceType.MICRO_LESSON: 1.0,
    ResourceType.LEARNING_PLAN: 0.8,
    ResourceType.ITEM: 0.6,
    ResourceType.PAPER: 0.4,
    ResourceType.COURSEWARE: 0.2,
}
TEACHER_TYPES = frozenset({ResourceType.LESSON_PLAN, ResourceType.CASE})
MAX_LIMIT = 50
MAX_POINTS = 50
FEW = 3  # a point with fewer resources than this gets its prerequisites' resources too
_CANDIDATE_CAP = 5000  # rows read for ranking at most (a point tagged on thousands of resources)

# score weights: each tier outweighs everything below it
_SEEN, _DIRECT, _TIER, _GRADE = 1000.0, 100.0, 10.0, 3.0


@dataclass(frozen=True)
class Recommendation:
    resource: Resource
    point: KnowledgePoint  # the point the resource is tagged with (the prerequisite, for a fallback)
    reason: str  # 针对薄弱知识点「勾股定理」的微课
    score: float
    prerequisite_of: KnowledgePoint | None = None  # the asked point, when this is a prerequisite fallback
    seen: bool = False  # the actor already played or downloaded it


def _bad(detail: str) -> ZhijiaoError:
    return ZhijiaoError(ResourceError.RESOURCE_RECOMMEND_PARAM, field="知识点推荐", detail=detail)


def _tier(kind: str) -> float:
    if kind in LEARNER_TYPES:
        return 2.0
    return 0.0 if kind in TEACHER_TYPES else 1.0


def learner_grade(actor: Actor | None) -> str:
    """The 年级 code of the class a student account is in ("" for anyone else, or a class that has left)."""
    if actor is None or not actor.is_authenticated:
        return ""
    classes = scope_for(actor).class_ids(Role.STUDENT)
    if not classes:
        return ""
    cohort = SchoolClass.objects.filter(pk__in=classes).values_list("grade__stage", "grade__entry_year").first()
    if cohort is None:
        return ""
    return grade_code(cohort[0], cohort[1], current_school_year()) or ""


def _point_ids(points: Iterable[int | str | KnowledgePoint]) -> list[int]:
    ids: list[int] = []
    for p in points:
        if isinstance(p, KnowledgePoint):
            ids.append(p.pk)
            continue
        try:
            ids.append(int(p))
        except (TypeError, ValueError):
            raise _bad(f"知识点编号应为整数：{p}") from None
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise _bad("至少给出一个知识点")
    if len(ids) > MAX_POINTS:
        raise _bad(f"一次最多 {MAX_POINTS} 个知识点")
    return ids


def _reason(point: KnowledgePoint, kind: str, prerequisite_of: KnowledgePoint | None) -> str:
    label = ResourceType(kind).label
    if prerequisite_of is not None:
        return f"薄弱知识点「{prerequisite_of.name}」的先修知识点「{point.name}」的{label}"
    return f"针对薄弱知识点「{point.name}」的{label}"


def resources_for_knowledge_points(
    *,
    actor: Actor | None,
    points: Iterable[int | str | KnowledgePoint],
    limit: int = 10,
    types: Sequence[str] | None = None,
    exclude_seen: bool = True,
    grade: str = "",
    few: int = FEW,
) -> list[Recommendation]:
    """Published resources ``actor`` may see, tagged with any of ``points`` (ids or objects), ranked for a learner.

    ``types`` narrows to those resource types; ``grade`` (a 年级 code) is the learner's grade when the actor is not
    the student (a parent or teacher asking for a pupil); ``exclude_seen`` pushes what the actor already played
    or downloaded to the end. See the module docstring for the order and the prerequisite fallback.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise _bad(f"条数应在 1 到 {MAX_LIMIT} 之间")
    wanted_types = list(dict.fromkeys(types or ()))
    unknown = [t for t in wanted_types if t not in ResourceType.values]
    if unknown:
        raise _bad(f"未知的资源类型：{'、'.join(unknown)}")
    ids = _point_ids(points)

    asked = {p.pk: p for p in KnowledgePoint.objects.filter(pk__in=ids).prefetch_related("prerequisites")}
    order = [pk for pk in ids if pk in asked]
    if not order:
        return []
    prerequisites = {pk: [q for q in asked[pk].prerequisites.all() if q.pk not in asked] for pk in order}
    by_id: dict[int, KnowledgePoint] = dict(asked)
    for pres in prerequisites.values():
        by_id.update((q.pk, q) for q in pres)

    grade = grade or learner_grade(actor)
    # The tagged resources as a subquery (SQLite then looks resources up by key instead of scanning every published
    # one for the visibility rule first); the join below reads every point of each, the others are skipped.
    tagged_ids = Resource.knowledge_points.through.objects.filter(knowledgepoint_id__in=list(by_id))
    qs = resource_visible_qs(actor).filter(status=ResourceStatus.PUBLISHED, pk__in=tagged_ids.values("resource_id"))
    if wanted_types:
        qs = qs.filter(type__in=wanted_types)
    rows = list(
        qs.order_by("-published_at", "-pk").values_list(
            "pk", "knowledge_points", "type", "grade", "value_score", "rating_avg", "published_at"
        )[:_CANDIDATE_CAP]
    )
    tagged: dict[int, list[int]] = {}  # point → resources tagged with it, newest first
    facts: dict[int, tuple[str, str, float, float, datetime | None]] = {}
    for pk, point_id, kind, res_grade, value, rating, published in rows:
        if point_id not in by_id:
            continue
        tagged.setdefault(point_id, []).append(pk)
        facts[pk] = (kind, res_grade, value or 0.0, rating or 0.0, published)

    # (resource → point, asked point when via a prerequisite); the asked points first, in the caller's order
    chosen: dict[int, tuple[int, int | None]] = {}
    for pk in order:
        for rid in tagged.get(pk, []):
            chosen.setdefault(rid, (pk, None))
    for pk in order:
        if len(tagged.get(pk, [])) >= few:
            continue
        for pre in prerequisites[pk]:
            for rid in tagged.get(pre.pk, []):
                chosen.setdefault(rid, (pre.pk, pk))

    seen: set[int] = set()
    if exclude_seen and chosen and actor is not None and actor.is_authenticated:
        seen = set(
            UsageEvent.objects.filter(
                account_id=actor.pk, kind__in=[UsageKind.PLAY, UsageKind.DOWNLOAD], resource_id__in=list(chosen)
            ).values_list("resource_id", flat=True)
        )

    def score(rid: int) -> float:
        kind, res_grade, value, rating, _ = facts[rid]
        grade_fit = 1.0 if grade and res_grade == grade else 0.5 if not res_grade or not grade else 0.0
        return (
            (0.0 if rid in seen else _SEEN)
            + (_DIRECT if chosen[rid][1] is None else 0.0)
            + _TIER * _tier(kind)
            + _GRADE * grade_fit
            + LEARNER_TYPES.get(kind, 0.0)
            + min(max(value, 0.0), 100.0) / 100.0
            + min(max(rating, 0.0), 5.0) / 5.0
        )

    scores = {rid: score(rid) for rid in chosen}

    def newest(rid: int) -> float:
        published = facts[rid][4]
        return published.timestamp() if published else 0.0

    ranked = sorted(chosen, key=lambda rid: (-scores[rid], -newest(rid), -rid))[:limit]
    resources = (
        Resource.objects.filter(pk__in=ranked)
        .select_related("author", "owner_school", "current_version__file", "chapter")
        .in_bulk()
    )
    result = []
    for rid in ranked:
        resource = resources.get(rid)
        if resource is None:  # deleted between the two reads
            continue
        point_id, via = chosen[rid]
        via_point = by_id[via] if via is not None else None
        result.append(
            Recommendation(
                resource=resource,
                point=by_id[point_id],
                reason=_reason(by_id[point_id], resource.type, via_point),
                score=round(scores[rid], 4),
                prerequisite_of=via_point,
                seen=rid in seen,
            )
        )
    return result

"""GET /api/v1/resources/for-points: resources for a learner's weak knowledge points (``resources:read``).

No ``from __future__ import annotations`` here: django-ninja reads the real types of ``Query[...]``.
Mounted under /resources with ``RESOURCE_AUTH`` (config/api.py), like the rest of the resource centre.
"""

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema

from zhijiao.core.codes import code_lookup, code_name
from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.params import DB_ID_MAX, Code, CodeList
from zhijiao.resources import selectors
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.models import ResourceType

router = Router(tags=["资源中心"])


class ForPointsIn(Schema):
    points: CodeList = ""
    limit: Code = "10"
    type: CodeList = ""
    grade: Code = ""
    exclude_seen: bool = True


class PointOut(Schema):
    id: int
    code: str
    name: str


class RecommendationOut(Schema):
    id: int
    title: str
    type: str
    type_name: str
    grade: str
    grade_name: str
    rating_avg: float
    value_score: float
    url: str
    download_url: str
    point: PointOut
    prerequisite_of: PointOut | None
    reason: str
    score: float
    seen: bool


class ForPointsOut(Schema):
    items: list[RecommendationOut]
    count: int


def _bad(field: str, detail: str) -> ZhijiaoError:
    return ZhijiaoError(ResourceError.RESOURCE_RECOMMEND_PARAM, field=field, detail=detail)


def _ints(value: str, field: str) -> list[int]:
    parts = [p for p in value.replace("，", ",").split(",") if p.strip()]
    if not parts:
        raise _bad(field, "至少给出一个知识点编号，如 points=12,15")
    try:
        ids = [int(p) for p in parts]
    except ValueError:
        raise _bad(field, "应为以逗号分隔的整数编号") from None
    if not all(1 <= i <= DB_ID_MAX for i in ids):
        raise _bad(field, "编号超出范围")
    return ids


def _point(p) -> dict | None:
    return {"id": p.pk, "code": p.code, "name": p.name} if p is not None else None


@router.get("/for-points", response=ForPointsOut, summary="按薄弱知识点推荐资源（面向学生，按权限过滤）")
def resources_for_points(request: HttpRequest, params: Query[ForPointsIn]):
    points = _ints(params.points, "知识点")
    try:
        limit = int(params.limit)
    except ValueError:
        raise _bad("条数", "应为整数") from None
    by_label = {label: value for value, label in ResourceType.choices}
    types = [by_label.get(t.strip(), t.strip()) for t in params.type.replace("，", ",").split(",") if t.strip()]
    grade = ""
    if params.grade.strip():
        code = code_lookup("grade", params.grade.strip())
        if code is None:
            raise _bad("年级", "不在代码表中")
        grade = code.code
    found = selectors.resources_for_knowledge_points(
        actor=request.user,
        points=points,
        limit=limit,
        types=types or None,
        exclude_seen=params.exclude_seen,
        grade=grade,
    )
    items = [
        {
            "id": r.resource.pk,
            "title": r.resource.title,
            "type": r.resource.type,
            "type_name": r.resource.get_type_display(),
            "grade": r.resource.grade,
            "grade_name": code_name("grade", r.resource.grade) if r.resource.grade else "",
            "rating_avg": r.resource.rating_avg,
            "value_score": r.resource.value_score,
            "url": reverse("resource-detail", args=[r.resource.pk]),
            "download_url": f"/api/v1/resources/{r.resource.pk}/download",
            "point": _point(r.point),
            "prerequisite_of": _point(r.prerequisite_of),
            "reason": r.reason,
            "score": r.score,
            "seen": r.seen,
        }
        for r in found
    ]
    return {"items": items, "count": len(items)}

"""Resource use API: ratings, comments, favourites and usage events (``usage``), mounted under /resources.

No ``from __future__ import annotations`` here: django-ninja reads the real types.

Reads need the router's ``resources:read``; writes also ``resources:write`` (a browser session has both).
Every endpoint looks the resource up through ``selectors.resource_get_for``: invisible is 404.
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from zhijiao.audit.services import Origin
from zhijiao.core.params import BoundedPageNumberPagination, DbId
from zhijiao.identity.services import api_request_scope_require
from zhijiao.resources import selectors, usage
from zhijiao.resources.api import ResourceOut
from zhijiao.resources.models import Comment, Resource

router = Router(tags=["资源中心"])

WRITE_SCOPE = "resources:write"


def _resource(request: HttpRequest, resource_id: int, *, write: bool = False) -> Resource:
    if write:
        api_request_scope_require(request=request, scope=WRITE_SCOPE)
    return selectors.resource_get_for(actor=request.user, resource_id=resource_id)


class RatingIn(Schema):
    score: int


class RatingOut(Schema):
    score: int
    rating_avg: float
    rating_count: int


@router.post("/{int:resource_id}/rating", response=RatingOut, summary="为资源评分（1–5 分，再次评分即修改）")
def rating_set(request: HttpRequest, resource_id: DbId, payload: RatingIn):
    resource = _resource(request, resource_id, write=True)
    rating = usage.rating_set(actor=request.user, resource=resource, score=payload.score)  # type: ignore[arg-type]
    return {"score": rating.score, "rating_avg": resource.rating_avg, "rating_count": resource.rating_count}


class CommentIn(Schema):
    body: str


class CommentOut(Schema):
    id: int
    author: str
    body: str
    hidden: bool
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Comment) -> str:
        return obj.account.display_name or obj.account.username


@router.get("/{int:resource_id}/comments", response=list[CommentOut], summary="资源评论（最新在前）")
@paginate(BoundedPageNumberPagination, page_size=50)
def comment_list(request: HttpRequest, resource_id: DbId):
    resource = _resource(request, resource_id)
    return usage.comment_list(actor=request.user, resource=resource)


@router.post("/{int:resource_id}/comments", response={201: CommentOut}, summary="发表评论（不超过 500 字）")
def comment_add(request: HttpRequest, resource_id: DbId, payload: CommentIn):
    resource = _resource(request, resource_id, write=True)
    return 201, usage.comment_add(actor=request.user, resource=resource, body=payload.body)  # type: ignore[arg-type]


class HideIn(Schema):
    hidden: bool = True


@router.post(
    "/{int:resource_id}/comments/{int:comment_id}/hide",
    response=CommentOut,
    summary="隐藏或恢复评论（资源作者、所属学校或教育局管理员）",
)
def comment_hide(request: HttpRequest, resource_id: DbId, comment_id: DbId, payload: HideIn):
    api_request_scope_require(request=request, scope=WRITE_SCOPE)
    comment = usage.comment_hide(
        actor=request.user,  # type: ignore[arg-type]
        comment_id=comment_id,
        hidden=payload.hidden,
        origin=Origin.from_request(request),
        resource_id=resource_id,
    )
    return comment


class FavouriteOut(Schema):
    favourite: bool
    favourite_count: int


def _favourite(request: HttpRequest, resource_id: int, on: bool) -> dict:
    resource = _resource(request, resource_id, write=True)
    state = usage.favourite_toggle(actor=request.user, resource=resource, on=on)  # type: ignore[arg-type]
    count = Resource.objects.filter(pk=resource.pk).values_list("favourite_count", flat=True).first() or 0
    return {"favourite": state, "favourite_count": count}


@router.post("/{int:resource_id}/favourite", response=FavouriteOut, summary="收藏资源")
def favourite_add(request: HttpRequest, resource_id: DbId):
    return _favourite(request, resource_id, True)


@router.delete("/{int:resource_id}/favourite", response=FavouriteOut, summary="取消收藏")
def favourite_remove(request: HttpRequest, resource_id: DbId):
    return _favourite(request, resource_id, False)


@router.get("/favourites", response=list[ResourceOut], summary="我的收藏（仍可查看的已发布资源，最近收藏在前）")
@paginate(BoundedPageNumberPagination, page_size=50)
def favourite_list(request: HttpRequest):
    return (
        usage.favourite_list(actor=request.user)  # type: ignore[arg-type]
        .select_related("edition", "volume")
        .prefetch_related("knowledge_points")
    )


class EventIn(Schema):
    kind: str
    play_id: str = ""
    progress: float | None = None


class EventOut(Schema):
    recorded: bool
    kind: str
    progress: float | None = None


@router.post("/{int:resource_id}/events", response=EventOut, summary="记录使用：浏览、下载或播放进度（0–1）")
def usage_event(request: HttpRequest, resource_id: DbId, payload: EventIn):
    resource = _resource(request, resource_id, write=True)
    event = usage.usage_record(
        actor=request.user,
        resource=resource,
        kind=payload.kind,
        play_id=payload.play_id,
        progress=payload.progress,
    )
    return {"recorded": event is not None, "kind": payload.kind, "progress": event.progress if event else None}

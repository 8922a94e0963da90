"""Resource metadata as JSON-LD (``jsonld``, schema.org ``LearningResource``), mounted under /resources.

No ``from __future__ import annotations`` here: django-ninja reads the real types of ``Query[...]``.

* ``GET /resources/{id}/jsonld``: one resource the caller may see (``selectors.resource_get_for``), else 404.
* ``GET /resources/jsonld?page=N&stage=…``: one page (200) of the published resources the caller may see, with
  the list's facets, as an ``@graph``; ``X-Total-Count`` gives how many there are in all.
"""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router

from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.params import COUNT_MAX, DbId
from zhijiao.resources import selectors
from zhijiao.resources.api import FiltersIn
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.jsonld import RELATED, jsonld_graph, resource_jsonld

router = Router(tags=["资源中心"])

PAGE_SIZE = 200
MEDIA_TYPE = "application/ld+json; charset=utf-8"


class ExportIn(FiltersIn):
    page: int = Field(1, ge=1, le=COUNT_MAX)


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _response(data: dict[str, Any]) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type=MEDIA_TYPE)


@router.get(
    "/jsonld", summary="导出资源元数据（JSON-LD，schema.org LearningResource；按权限过滤，仅已发布，每页 200 条）"
)
def resource_jsonld_list(request: HttpRequest, params: Query[ExportIn]) -> HttpResponse:
    if params.page < 1:
        raise ZhijiaoError(ResourceError.RESOURCE_SEARCH_PARAM, field="页码", detail="应为正整数")
    filters = selectors.ResourceFilters(**params.dict(exclude={"page"}))
    qs = selectors.resource_list(actor=request.user, filters=filters)
    total = qs.count()
    start = (params.page - 1) * PAGE_SIZE
    page = qs.select_related(*RELATED).prefetch_related("knowledge_points").order_by("pk")[start : start + PAGE_SIZE]
    response = _response(jsonld_graph(page, base_url=_base(request)))
    response["X-Total-Count"] = str(total)
    return response


@router.get("/{int:resource_id}/jsonld", summary="单个资源的元数据（JSON-LD，schema.org LearningResource）")
def resource_jsonld_detail(request: HttpRequest, resource_id: DbId) -> HttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    return _response(resource_jsonld(resource, base_url=_base(request)))

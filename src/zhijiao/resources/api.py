"""Resource API: list (with the facets), detail and ranged download, scoped by ``resource_visible_qs``.

No ``from __future__ import annotations`` here: django-ninja reads the real types of ``Query[...]``.

Auth: ``RESOURCE_AUTH`` (config/api.py): a session, an API token with ``resources:read``, or an OIDC access token
granted ``resources:read`` (``zhijiao.oidc.api_auth``). ``/search`` is
:func:`zhijiao.resources.searching.resource_search` (the engine, every hit re-checked against
``resource_visible_qs``), the same code path as the search pages.
"""

from datetime import datetime

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from zhijiao.core.codes import code_name
from zhijiao.core.errors import NotFound
from zhijiao.core.params import BoundedPageNumberPagination, Code, DbId, SearchText
from zhijiao.resources import searching, selectors
from zhijiao.resources.models import Resource
from zhijiao.resources.ranged import blob_response
from zhijiao.resources.search.backend import SORT_RELEVANCE
from zhijiao.resources.serving import file_delivery

router = Router(tags=["资源中心"])


class ResourceOut(Schema):
    id: int
    title: str
    description: str
    keywords: str
    type: str
    type_name: str
    stage: str
    stage_name: str
    subject: str
    subject_name: str
    grade: str
    edition: str
    volume: str
    chapter: str
    knowledge_points: list[str]
    author: str
    owner_school_code: str
    owner_division: str
    sharing: str
    licence: str
    status: str
    published_at: datetime | None
    file_name: str
    file_size: int | None
    file_sha256: str
    download_url: str
    # use and value (resources.value), recomputed by the value job
    level: str
    rating_avg: float
    rating_count: int
    favourite_count: int
    value_score: float

    @staticmethod
    def resolve_type_name(obj: Resource) -> str:
        return obj.get_type_display()

    @staticmethod
    def resolve_stage_name(obj: Resource) -> str:
        return code_name("stage", obj.stage)

    @staticmethod
    def resolve_subject_name(obj: Resource) -> str:
        return code_name("subject", obj.subject)

    @staticmethod
    def resolve_edition(obj: Resource) -> str:
        return obj.edition.name if obj.edition else ""

    @staticmethod
    def resolve_volume(obj: Resource) -> str:
        return obj.volume.name if obj.volume else ""

    @staticmethod
    def resolve_chapter(obj: Resource) -> str:
        return obj.chapter.label if obj.chapter else ""

    @staticmethod
    def resolve_knowledge_points(obj: Resource) -> list[str]:
        return [p.name for p in obj.knowledge_points.all()]

    @staticmethod
    def resolve_author(obj: Resource) -> str:
        return obj.author.display_name or obj.author.username

    @staticmethod
    def resolve_owner_school_code(obj: Resource) -> str:
        return obj.owner_school.code if obj.owner_school else ""

    @staticmethod
    def resolve_owner_division(obj: Resource) -> str:
        return obj.owner_division_id

    @staticmethod
    def resolve_file_name(obj: Resource) -> str:
        return obj.current_version.original_name if obj.current_version else ""

    @staticmethod
    def resolve_file_size(obj: Resource) -> int | None:
        return obj.current_version.file.size if obj.current_version else None

    @staticmethod
    def resolve_file_sha256(obj: Resource) -> str:
        return obj.current_version.file.sha256 if obj.current_version else ""

    @staticmethod
    def resolve_download_url(obj: Resource) -> str:
        return f"/api/v1/resources/{obj.pk}/download"


class FiltersIn(Schema):
    stage: Code = ""
    subject: Code = ""
    grade: Code = ""
    type: Code = ""
    edition: DbId | None = None
    volume: DbId | None = None
    chapter: DbId | None = None
    point: DbId | None = None


@router.get("", response=list[ResourceOut], summary="资源列表（按权限与共享范围过滤，仅已发布）")
@paginate(BoundedPageNumberPagination, page_size=50)
def resource_list(request: HttpRequest, filters: Query[FiltersIn]):
    f = selectors.ResourceFilters(**filters.dict())
    return (
        selectors.resource_list(actor=request.user, filters=f)
        .select_related("edition", "volume", "owner_school")
        .prefetch_related("knowledge_points")
    )


@router.get("/{int:resource_id}", response=ResourceOut, summary="资源详情")
def resource_detail(request: HttpRequest, resource_id: DbId):
    return selectors.resource_get_for(actor=request.user, resource_id=resource_id)


@router.get("/{int:resource_id}/download", summary="下载资源文件（支持 Range 断点续传）")
def resource_download(request: HttpRequest, resource_id: DbId) -> HttpResponse | StreamingHttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    version = resource.current_version
    if version is None:
        raise NotFound()
    return blob_response(  # always an attachment here, with the user-file headers (resources.serving)
        request,
        sha256=version.file.sha256,
        delivery=file_delivery(name=version.original_name, want_inline=False),
        filename=version.original_name,
    )


class SearchIn(Schema):
    q: SearchText = ""
    stage: Code = ""
    subject: Code = ""
    grade: Code = ""
    type: Code = ""
    edition: Code = ""
    volume: Code = ""
    chapter: Code = ""
    kp: Code = ""
    sort: Code = SORT_RELEVANCE
    page: Code = "1"
    limit: Code = "20"
    explain: bool = False  # add how the query was understood (words, variants, 年级/册, knowledge points)
    exact: bool = False  # search what was typed, no spelling correction


class SearchItemOut(Schema):
    id: int
    title: str
    title_html: str
    snippet_html: str
    type: str
    type_name: str
    stage_name: str
    subject_name: str
    grade_name: str
    url: str
    reason: str  # why it matched when the title does not show it: 知识点「勾股定理」


class SearchOut(Schema):
    items: list[SearchItemOut]
    count: int
    facets: dict[str, dict[str, int]]
    query_used: str  # the query the items are for: as typed, or its correction (corrected = true)
    corrected: bool
    did_you_mean: str  # a correction offered while the items are for the query as typed
    broader: list[str]  # no items: the same query with fewer words
    explain: dict | None = None


class SuggestItemOut(Schema):
    text: str
    kind: str  # 知识点, 章节, 热门, 纠错


class SuggestOut(Schema):
    items: list[SuggestItemOut]


@router.get("/search", response=SearchOut, summary="资源搜索（全文检索，按权限与共享范围过滤，仅已发布）")
def resource_search(request: HttpRequest, params: Query[SearchIn]):
    found = searching.resource_search(
        actor=request.user,
        query=params.q,
        filters=searching.SearchFilters(
            **{name: getattr(params, name) for name in searching.SearchFilters.__dataclass_fields__}
        ),
        sort=params.sort,
        page=params.page,
        limit=params.limit,
        exact=params.exact,
    )
    items = [
        {
            "id": i.resource.pk,
            "title": i.resource.title,
            "title_html": i.title_html,
            "snippet_html": i.snippet_html,
            "type": i.resource.type,
            "type_name": i.resource.get_type_display(),
            "stage_name": code_name("stage", i.resource.stage),
            "subject_name": code_name("subject", i.resource.subject),
            "grade_name": code_name("grade", i.resource.grade) if i.resource.grade else "",
            "url": reverse("resource-detail", args=[i.resource.pk]),
            "reason": i.reason,
        }
        for i in found.items
    ]
    return {
        "items": items,
        "count": found.count,
        "facets": found.facets,
        "query_used": found.query_used,
        "corrected": found.corrected,
        "did_you_mean": found.did_you_mean,
        "broader": found.broader,
        "explain": found.understood if params.explain else None,
    }


class SuggestIn(Schema):
    q: SearchText = ""


@router.get("/suggest", response=SuggestOut, summary="检索提示（知识点、章节、热门检索词、纠错）")
def resource_suggest(request: HttpRequest, params: Query[SuggestIn]):
    return {"items": searching.suggest(params.q)}

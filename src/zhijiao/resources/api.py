"""Resource API: list (with the facets), detail and ranged download, scoped by ``resource_visible_qs``.

No ``from __future__ import annotations`` here: django-ninja reads the real types of ``Query[...]``.

Session or bearer-token auth (tokens with the default ``registry:read`` scope until a ``resources:read`` scope
exists); ``/search`` asks the search engine (``resources.search`` via ``resources.indexing``) and re-checks
every hit against ``resource_visible_qs``.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from zhijiao.core.codes import code_lookup, code_name
from zhijiao.core.errors import NotFound, ZhijiaoError
from zhijiao.resources import selectors
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.indexing import search_backend
from zhijiao.resources.models import Chapter, Resource, ResourceStatus, ResourceType
from zhijiao.resources.ranged import ranged_file_response
from zhijiao.resources.search.backend import SORT_RELEVANCE, SORTS, Visibility
from zhijiao.resources.storage import blob_path

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
    stage: str = ""
    subject: str = ""
    grade: str = ""
    type: str = ""
    edition: int | None = None
    volume: int | None = None
    chapter: int | None = None
    point: int | None = None


@router.get("", response=list[ResourceOut], summary="资源列表（按权限与共享范围过滤，仅已发布）")
@paginate(PageNumberPagination, page_size=50)
def resource_list(request: HttpRequest, filters: Query[FiltersIn]):
    f = selectors.ResourceFilters(**filters.dict())
    return (
        selectors.resource_list(actor=request.user, filters=f)
        .select_related("edition", "volume", "owner_school")
        .prefetch_related("knowledge_points")
    )


@router.get("/{int:resource_id}", response=ResourceOut, summary="资源详情")
def resource_detail(request: HttpRequest, resource_id: int):
    return selectors.resource_get_for(actor=request.user, resource_id=resource_id)


@router.get("/{int:resource_id}/download", summary="下载资源文件（支持 Range 断点续传）")
def resource_download(request: HttpRequest, resource_id: int) -> HttpResponse | StreamingHttpResponse:
    resource = selectors.resource_get_for(actor=request.user, resource_id=resource_id)
    version = resource.current_version
    if version is None or not blob_path(version.file.sha256).exists():
        raise NotFound()
    return ranged_file_response(
        request, blob_path(version.file.sha256), content_type=version.file.mime, filename=version.original_name
    )


class SearchIn(Schema):
    q: str = ""
    stage: str = ""
    subject: str = ""
    grade: str = ""
    type: str = ""
    edition: str = ""
    volume: str = ""
    chapter: str = ""
    kp: str = ""
    sort: str = SORT_RELEVANCE
    page: str = "1"
    limit: str = "20"


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


class SearchOut(Schema):
    items: list[SearchItemOut]
    count: int
    facets: dict[str, dict[str, int]]


def _bad(field: str, detail: str = "") -> ZhijiaoError:
    return ZhijiaoError(ResourceError.RESOURCE_SEARCH_PARAM, field=field, detail=detail)


def _positive_int(value: str, field: str, *, maximum: int) -> int:
    try:
        n = int(value)
    except ValueError:
        raise _bad(field, "应为正整数") from None
    if not 1 <= n <= maximum:
        raise _bad(field, f"应在 1 到 {maximum} 之间")
    return n


def _search_filters(p: SearchIn) -> dict[str, str | Sequence[str]]:
    """API parameters → engine filters. 学段/学科/年级/类型 accept a code or its Chinese name (as facets show)."""
    filters: dict[str, str | Sequence[str]] = {}
    for name, field in (("stage", "学段"), ("subject", "学科"), ("grade", "年级")):
        value = getattr(p, name).strip()
        if value:
            code = code_lookup(name, value)
            if code is None:
                raise _bad(field, "不在代码表中")
            filters[name] = code_name(name, code.code)
    if p.type.strip():
        labels = dict(ResourceType.choices)
        value = p.type.strip()
        if value in labels:
            value = labels[value]
        elif value not in labels.values():
            raise _bad("类型", "未知的资源类型")
        filters["type"] = value
    for name in ("edition", "volume"):
        if getattr(p, name).strip():
            filters[name] = getattr(p, name).strip()
    if p.chapter.strip():
        chapter = _positive_int(p.chapter, "章节", maximum=2**31)
        # A chapter includes its sections (as the list does).
        ids = Chapter.objects.filter(Q(pk=chapter) | Q(parent_id=chapter) | Q(parent__parent_id=chapter))
        filters["chapter_id"] = [str(pk) for pk in ids.values_list("pk", flat=True)] or [str(chapter)]
    if p.kp.strip():
        filters["kp_ids"] = str(_positive_int(p.kp, "知识点", maximum=2**31))
    return filters


FACET_NAMES = {"chapter_id": "chapter", "kp_ids": "kp"}


@router.get("/search", response=SearchOut, summary="资源搜索（全文检索，按权限与共享范围过滤，仅已发布）")
def resource_search(request: HttpRequest, params: Query[SearchIn]):
    if params.sort not in SORTS:
        raise _bad("排序", "可选 relevance、newest、rating、value")
    page = _positive_int(params.page, "页码", maximum=1000)
    limit = _positive_int(params.limit, "每页条数", maximum=100)
    query = params.q.strip()
    if len(query) > 200:
        raise _bad("检索词", "不超过 200 个字")
    result = search_backend().search(
        query,
        visibility=Visibility.from_terms(selectors.visibility_terms(request.user)),
        filters=_search_filters(params),
        sort=params.sort,
        limit=limit,
        offset=(page - 1) * limit,
    )
    # Defence in depth: the database has the last word on what this caller may see.
    ids = [int(h.id) for h in result.hits if h.id.isdigit()]
    visible = {
        r.pk: r for r in selectors.resource_visible_qs(request.user).filter(pk__in=ids, status=ResourceStatus.PUBLISHED)
    }
    items = []
    for hit in result.hits:
        r = visible.get(int(hit.id)) if hit.id.isdigit() else None
        if r is None:
            continue
        items.append(
            {
                "id": r.pk,
                "title": r.title,
                "title_html": hit.title_html,
                "snippet_html": hit.snippet_html,
                "type": r.type,
                "type_name": r.get_type_display(),
                "stage_name": code_name("stage", r.stage),
                "subject_name": code_name("subject", r.subject),
                "grade_name": code_name("grade", r.grade) if r.grade else "",
                "url": reverse("resource-detail", args=[r.pk]),
            }
        )
    facets = {FACET_NAMES.get(k, k): v for k, v in result.facets.items()}
    return {"items": items, "count": result.total, "facets": facets}

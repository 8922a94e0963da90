"""Resource search, one code path for the API (``GET /api/v1/resources/search``) and the pages
(``/resources/``, ``/resources/public/``).

:func:`resource_search` checks the parameters (clear Chinese errors naming the field), asks the engine
(:func:`~zhijiao.resources.indexing.search_backend`), and re-checks every hit against
``resource_visible_qs``: the database has the last word on what the caller may see. When the index is empty
or cannot be read (a fresh install before ``resources_reindex``, a broken index folder) it answers from the
database instead, with ``fallback=True`` so the page can say so.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.db.models import Count, Q, QuerySet

from zhijiao.access.types import Actor
from zhijiao.core.codes import code_lookup, code_name
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import Chapter, TextbookEdition, TextbookVolume
from zhijiao.resources import selectors
from zhijiao.resources.errors import ResourceError
from zhijiao.resources.indexing import search_backend, search_lexicon
from zhijiao.resources.models import Resource, ResourceStatus, ResourceType
from zhijiao.resources.search import understand
from zhijiao.resources.search.analysis import highlight, snippet
from zhijiao.resources.search.backend import SORT_NEWEST, SORT_RATING, SORT_RELEVANCE, SORT_VALUE, SORTS, Visibility

log = logging.getLogger(__name__)

MAX_QUERY = 200
MAX_PAGE = 1000
MAX_LIMIT = 100
# Facet groups whose counts ignore their own filter, so the other values stay visible and can be switched to.
SWITCHABLE = ("stage", "subject", "grade", "type", "edition", "volume", "chapter")
# Choosing another 版本 clears the 册 and 章节 below it; another 册, the 章节.
DEPENDENTS = {"edition": ("volume", "chapter"), "volume": ("chapter",)}
# Engine filter keys ↔ the names the API and pages use.
ENGINE_KEYS = {"chapter": "chapter_id", "kp": "kp_ids"}
FACET_NAMES = {v: k for k, v in ENGINE_KEYS.items()}


@dataclass(frozen=True)
class SearchFilters:
    """Filters as typed in a URL: 学段/学科/年级 a code or its name, 类型 a code or its label, 版本/册 a name,
    章节/知识点 an id. Empty means no filter."""

    stage: str = ""
    subject: str = ""
    grade: str = ""
    type: str = ""
    edition: str = ""
    volume: str = ""
    chapter: str = ""
    kp: str = ""

    def active(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def without(self, *names: str) -> SearchFilters:
        return replace(self, **dict.fromkeys(names, ""))


@dataclass
class SearchItem:
    resource: Resource
    title_html: str  # escaped, <mark> around matched terms
    snippet_html: str
    reason: str = ""  # why it matched when the title does not show it: 知识点「勾股定理」


@dataclass
class SearchPage:
    items: list[SearchItem]
    count: int  # the engine's total (hits later hidden by the database re-check still count)
    facets: dict[str, dict[str, int]]  # stage, subject, grade, type, edition, volume → label: n; chapter, kp → id: n
    page: int
    limit: int
    sort: str
    query: str
    filters: SearchFilters
    fallback: bool = False  # answered from the database: no relevance order, approximate highlighting
    applied: dict[str, str] = field(default_factory=dict)  # engine filter values, e.g. {"grade": "八年级"}
    query_used: str = ""  # what the hits are for: the query, or its correction (勾股定里 → 勾股定理)
    corrected: bool = False  # the hits are for a correction; the page offers the query as typed
    did_you_mean: str = ""  # a correction offered (the query as typed found enough)
    broader: list[str] = field(default_factory=list)  # no results: the query with fewer words
    understood: dict = field(default_factory=dict)  # query understanding (the API's explain=1)

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.count // self.limit)))


def _bad(field: str, detail: str = "") -> ZhijiaoError:
    return ZhijiaoError(ResourceError.RESOURCE_SEARCH_PARAM, field=field, detail=detail)


def positive_int(value: str | int, field: str, *, maximum: int) -> int:
    """``value`` as an int in 1..maximum, or a 搜索参数无效 error naming the field."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise _bad(field, "应为正整数") from None
    if not 1 <= n <= maximum:
        raise _bad(field, f"应在 1 到 {maximum} 之间")
    return n


def engine_filters(f: SearchFilters) -> dict[str, str | Sequence[str]]:
    """URL filters → the engine's (Chinese labels, chapter with its sections). Unknown values raise."""
    out: dict[str, str | Sequence[str]] = {}
    for name, label in (("stage", "学段"), ("subject", "学科"), ("grade", "年级")):
        value = getattr(f, name).strip()
        if value:
            code = code_lookup(name, value)
            if code is None:
                raise _bad(label, "不在代码表中")
            out[name] = code_name(name, code.code)
    if f.type.strip():
        labels = dict(ResourceType.choices)
        value = f.type.strip()
        if value in labels:
            value = labels[value]
        elif value not in labels.values():
            raise _bad("类型", "未知的资源类型")
        out["type"] = str(value)
    # Old links (and the upload form) carry ids for 版本/册: the index holds their names.
    for name, model in (("edition", TextbookEdition), ("volume", TextbookVolume)):
        value = getattr(f, name).strip()
        if value.isdigit():
            value = model.objects.filter(pk=int(value)).values_list("name", flat=True).first() or value
        if value:
            out[name] = value
    if f.chapter.strip():
        chapter = positive_int(f.chapter, "章节", maximum=2**31)
        # A chapter includes its sections (as the list does).
        ids = Chapter.objects.filter(Q(pk=chapter) | Q(parent_id=chapter) | Q(parent__parent_id=chapter))
        out["chapter_id"] = [str(pk) for pk in ids.values_list("pk", flat=True)] or [str(chapter)]
    if f.kp.strip():
        out["kp_ids"] = str(positive_int(f.kp, "知识点", maximum=2**31))
    return out


def resource_search(
    *,
    actor: Actor | None,
    query: str = "",
    filters: SearchFilters = SearchFilters(),
    sort: str = SORT_RELEVANCE,
    page: int | str = 1,
    limit: int | str = 20,
    switchable_facets: bool = False,
    database_fallback: bool = False,
    exact: bool = False,
) -> SearchPage:
    """One page of the published resources ``actor`` may see (``None``: anonymous, 公开 only) matching
    ``query`` and ``filters``, with facet counts.

    ``switchable_facets``: facet groups in :data:`SWITCHABLE` are counted without their own filter (one more
    engine call per such active filter), so a page can offer 七年级 (3) while 八年级 is selected.
    ``database_fallback``: when the index is empty or unreadable, answer from the database (``fallback=True``)
    rather than with nothing (the API keeps the engine's answer, so a missing reindex shows).
    ``exact``: search the words as typed, without a spelling correction.
    The query goes through query understanding first (:mod:`.search.understand`: the search dictionary's synonyms and
    variants, grade shorthand, corrections), and relevance pages are diversified; ``understood`` says how.
    Raises ``ZhijiaoError(RESOURCE_SEARCH_PARAM)`` naming the bad parameter."""
    if sort not in SORTS:
        raise _bad("排序", "可选 relevance、newest、rating、value")
    page_n = positive_int(page, "页码", maximum=MAX_PAGE)
    limit_n = positive_int(limit, "每页条数", maximum=MAX_LIMIT)
    query = query.strip()
    if len(query) > MAX_QUERY:
        raise _bad("检索词", f"不超过 {MAX_QUERY} 个字")
    applied = engine_filters(filters)
    result = SearchPage(
        items=[], count=0, facets={}, page=page_n, limit=limit_n, sort=sort, query=query, filters=filters
    )
    result.applied = {k: v if isinstance(v, str) else ",".join(v) for k, v in applied.items()}
    if database_fallback:
        try:
            backend = search_backend()
            empty = backend.num_docs() == 0
        except Exception:  # an unreadable index must not take the resource centre down: list from the database
            log.exception("resource search index unavailable; answering from the database")
            empty = True
        if empty:
            return _from_database(actor, result, applied)
    else:
        backend = search_backend()

    visibility = Visibility.from_terms(selectors.visibility_terms(actor))
    lexicon = search_lexicon()
    answer = understand.search(
        backend,
        lexicon,
        backend.analyzer,
        query,
        visibility=visibility,
        filters=applied,
        sort=sort,
        limit=limit_n,
        offset=(page_n - 1) * limit_n,
        exact=exact,
    )
    found = answer.result
    result.query_used = answer.query_used
    result.corrected = answer.corrected
    result.did_you_mean = answer.did_you_mean
    result.broader = answer.broader
    result.understood = answer.explain()
    facets = {FACET_NAMES.get(k, k): v for k, v in found.facets.items()}
    if switchable_facets:
        for name in SWITCHABLE:
            if getattr(filters, name):
                others = {
                    **engine_filters(filters.without(name, *DEPENDENTS.get(name, ()))),
                    **answer.shorthand_filters,
                }
                counted = backend.search(
                    answer.understanding.parsed, visibility=visibility, filters=others, limit=1
                ).facets
                facets[name] = counted.get(ENGINE_KEYS.get(name, name), {})
    result.count = found.total
    result.facets = facets
    # Defence in depth: the database has the last word on what this caller may see.
    ids = [int(h.id) for h in found.hits if h.id.isdigit()]
    visible = {r.pk: r for r in _visible(actor).filter(pk__in=ids)}
    for hit in found.hits:
        r = visible.get(int(hit.id)) if hit.id.isdigit() else None
        if r is not None:
            result.items.append(
                SearchItem(resource=r, title_html=hit.title_html, snippet_html=hit.snippet_html, reason=hit.reason)
            )
    return result


def suggest(prefix: str, limit: int = 10) -> list[dict[str, str]]:
    """Search-as-you-type: knowledge points and chapters starting with (then containing) ``prefix``, popular queries,
    a correction when nothing else fits. Names only (the taxonomy and the dictionary are not personal data)."""
    return search_lexicon().suggest(prefix[:MAX_QUERY], limit=limit)


def _visible(actor: Actor | None) -> QuerySet[Resource]:
    return (
        selectors.resource_visible_qs(actor)
        .filter(status=ResourceStatus.PUBLISHED)
        .select_related(
            "author", "owner_school", "owner_division", "edition", "volume", "chapter__parent", "current_version__file"
        )
    )


DB_ORDER = {
    SORT_RELEVANCE: ("-published_at", "-pk"),
    SORT_NEWEST: ("-published_at", "-pk"),
    SORT_RATING: ("-rating_avg", "-rating_count", "-published_at"),
    SORT_VALUE: ("-value_score", "-published_at"),
}


def _from_database(actor: Actor | None, result: SearchPage, applied: dict[str, str | Sequence[str]]) -> SearchPage:
    """The same answer, approximately, without the engine: words match title, description or keywords as
    substrings (every word must match); facets counted with GROUP BY."""
    qs = _visible(actor)
    codes = {"stage": "stage", "subject": "subject", "grade": "grade"}
    for name, column in codes.items():
        if name in applied:
            entry = code_lookup(name, str(applied[name]))
            qs = qs.filter(**{column: entry.code if entry else ""})
    if "type" in applied:
        value = {label: code for code, label in ResourceType.choices}.get(str(applied["type"]), "")
        qs = qs.filter(type=value)
    if "edition" in applied:
        qs = qs.filter(edition__name=applied["edition"])
    if "volume" in applied:
        qs = qs.filter(volume__name=applied["volume"])
    if "chapter_id" in applied:
        qs = qs.filter(chapter_id__in=[int(i) for i in applied["chapter_id"]])
    if "kp_ids" in applied:
        qs = qs.filter(knowledge_points=int(str(applied["kp_ids"])))
    words = result.query.split()
    for word in words:
        qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word) | Q(keywords__icontains=word))
    result.fallback = True
    result.count = qs.count()
    start = (result.page - 1) * result.limit
    for r in qs.order_by(*DB_ORDER[result.sort])[start : start + result.limit]:
        result.items.append(
            SearchItem(resource=r, title_html=highlight(r.title, words), snippet_html=snippet(r.description, words))
        )
    if result.count:
        result.facets = _database_facets(qs.order_by())
    return result


def _database_facets(qs: QuerySet[Resource]) -> dict[str, dict[str, int]]:
    def counts(column: str, label=lambda v: str(v)) -> dict[str, int]:
        rows = qs.exclude(**{f"{column}__isnull": True}).values(column).annotate(n=Count("pk", distinct=True))
        out: dict[str, int] = {}
        for row in rows.order_by("-n")[:30]:
            if row[column] not in ("", None):
                out[label(row[column])] = out.get(label(row[column]), 0) + row["n"]
        return out

    types = dict(ResourceType.choices)
    return {
        "stage": counts("stage", lambda v: code_name("stage", v)),
        "subject": counts("subject", lambda v: code_name("subject", v)),
        "grade": counts("grade", lambda v: code_name("grade", v)),
        "type": counts("type", lambda v: str(types.get(v, v))),
        "edition": counts("edition__name"),
        "volume": counts("volume__name"),
        "chapter": counts("chapter_id"),
        "kp": counts("knowledge_points"),
    }

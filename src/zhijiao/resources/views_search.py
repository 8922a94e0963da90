"""The search pages: ``/resources/`` (signed in: everything the account may see) and ``/resources/public/``
(anyone: 公开 only). Both call :func:`~zhijiao.resources.searching.resource_search`, the API's code path, and
turn its facet counts into links: every filter is a plain GET parameter, so the page works without
JavaScript; htmx swaps only the results when it is there (``HX-Request``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from zhijiao.core.codes import code_choices, code_lookup, code_name
from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.models import Chapter, KnowledgePoint, TextbookVolume
from zhijiao.resources import selectors
from zhijiao.resources.search.backend import SORT_NEWEST, SORT_RATING, SORT_RELEVANCE, SORT_VALUE
from zhijiao.resources.search_terms import search_terms_may_edit
from zhijiao.resources.searching import DEPENDENTS, SearchFilters, SearchPage, resource_search, suggest

PAGE_SIZE = 20
KP_SHOWN = 10
CHAPTERS_SHOWN = 8
SORT_TABS = ((SORT_RELEVANCE, "相关度"), (SORT_NEWEST, "最新"), (SORT_RATING, "评分"), (SORT_VALUE, "价值"))
GROUP_TITLES = {
    "stage": "学段",
    "subject": "学科",
    "grade": "年级",
    "type": "类型",
    "edition": "版本",
    "volume": "册",
    "chapter": "章节",
    "kp": "知识点",
}
PLACEHOLDER = "搜索资源，如：圆、勾股定理、八年级 下册 一次函数 微课"


@dataclass
class Option:
    label: str
    count: int
    url: str
    active: bool = False
    children: list[Option] = field(default_factory=list)


@dataclass
class Group:
    key: str
    title: str
    options: list[Option]
    more: list[Option] = field(default_factory=list)
    tree: bool = False
    hint: str = ""


@dataclass
class Chip:
    title: str
    label: str
    url: str


class Links:
    """URLs of this page with one parameter changed (and the page number dropped)."""

    def __init__(self, base: str, params: dict[str, str]) -> None:
        self.base = base
        self.params = {k: v for k, v in params.items() if v}

    def with_(self, **changes: str) -> str:
        params = dict(self.params)
        for key, value in changes.items():
            if value:
                params[key] = value
            else:
                params.pop(key, None)
        return f"{self.base}?{urlencode(params)}" if params else self.base

    def choose(self, key: str, value: str) -> str:
        """Set a filter, clearing the ones below it (another 版本 clears 册 and 章节)."""
        return self.with_(**{key: value}, **dict.fromkeys(DEPENDENTS.get(key, ()), ""))


def _request_params(request: HttpRequest) -> tuple[str, SearchFilters, str, str]:
    g = request.GET
    names = SearchFilters.__dataclass_fields__
    values = {name: g.get(name, "").strip() for name in names}
    values["kp"] = values["kp"] or g.get("point", "").strip()  # detail pages link ?point=
    sort = g.get("sort", SORT_RELEVANCE)
    return g.get("q", "").strip(), SearchFilters(**values), sort, g.get("page", "1")


def _ordered(counts: dict[str, int], order: list[str]) -> list[tuple[str, int]]:
    rank = {name: i for i, name in enumerate(order)}
    return sorted(counts.items(), key=lambda kv: (rank.get(kv[0], len(rank)), -kv[1]))


def _plain_group(key: str, result: SearchPage, links: Links, order: list[str] | None = None) -> Group | None:
    counts = dict(result.facets.get(key, {}))
    chosen = result.applied.get(key, "")
    if chosen and chosen not in counts:
        counts[chosen] = 0
    if not counts:
        return None
    pairs = _ordered(counts, order) if order else sorted(counts.items(), key=lambda kv: -kv[1])
    options = [
        Option(label, n, links.with_(**{key: ""}) if label == chosen else links.choose(key, label), label == chosen)
        for label, n in pairs
    ]
    return Group(key, GROUP_TITLES[key], options)


def _volume_order() -> list[str]:
    return list(dict.fromkeys(TextbookVolume.objects.order_by("grade", "term", "order").values_list("name", flat=True)))


def _chapter_group(result: SearchPage, links: Links) -> Group | None:
    counts = {int(k): n for k, n in result.facets.get("chapter", {}).items() if k.isdigit()}
    chosen = int(result.filters.chapter) if result.filters.chapter.isdigit() else None
    volume = result.applied.get("volume", "")

    def option(c: Chapter, n: int, label: str = "") -> Option:
        active = c.pk == chosen
        url = links.with_(chapter="") if active else links.with_(chapter=str(c.pk))
        return Option(label or c.label, n, url, active)

    if volume:  # the tree of the chosen 册: every chapter, its sections where there is something to find
        volumes = TextbookVolume.objects.filter(name=volume)
        if result.applied.get("edition"):
            volumes = volumes.filter(edition__name=result.applied["edition"])
        for key in ("stage", "subject"):  # several editions have a 八年级上册: the chosen 学段/学科 picks the book
            entry = code_lookup(key, result.applied.get(key))
            if entry:
                volumes = volumes.filter(**{f"edition__{key}": entry.code})
        chapters = list(Chapter.objects.filter(volume__in=volumes).select_related("volume__edition"))
        used = {c.volume_id for c in chapters if c.pk in counts} or {c.volume_id for c in chapters[:1]}
        chapters = [c for c in chapters if c.volume_id in used]
        several = len(used) > 1
        options: list[Option] = []
        for top in (c for c in chapters if c.parent_id is None):
            sections = [c for c in chapters if c.parent_id == top.pk]
            total = counts.get(top.pk, 0) + sum(counts.get(s.pk, 0) for s in sections)
            label = f"{top.volume.edition.name} {top.label}" if several else top.label
            node = option(top, total, label)
            open_ = node.active or any(s.pk == chosen for s in sections)
            node.children = [option(s, counts.get(s.pk, 0)) for s in sections if counts.get(s.pk) or open_]
            options.append(node)
        return Group("chapter", GROUP_TITLES["chapter"], options, tree=True) if options else None
    if not counts and chosen is None:
        return None
    # No 册 chosen: the chapters (sections counted in) with the most results, each named with its 册.
    ids = set(counts) | ({chosen} if chosen else set())
    totals: dict[int, int] = {}
    tops: dict[int, Chapter] = {}
    for c in Chapter.objects.filter(pk__in=ids).select_related("parent", "volume"):
        top = c.parent or c
        top.volume = c.volume
        tops[top.pk] = top
        totals[top.pk] = totals.get(top.pk, 0) + counts.get(c.pk, 0)
        if c.pk == chosen and c.parent is not None:  # a chosen section shows as itself
            tops[c.pk], totals[c.pk] = c, counts.get(c.pk, 0)
    ranked = sorted(tops.values(), key=lambda c: (c.pk != chosen, -totals[c.pk], c.volume_id, c.order))
    options = [option(c, totals[c.pk], f"{c.volume.name} · {c.label}") for c in ranked]
    return Group(
        "chapter",
        GROUP_TITLES["chapter"],
        options[:CHAPTERS_SHOWN],
        options[CHAPTERS_SHOWN:],
        hint="选择“册”后按目录逐章筛选",
    )


def _kp_group(result: SearchPage, links: Links) -> Group | None:
    counts = {int(k): n for k, n in result.facets.get("kp", {}).items() if k.isdigit()}
    chosen = int(result.filters.kp) if result.filters.kp.isdigit() else None
    if chosen is not None and chosen not in counts:
        counts[chosen] = 0
    if not counts:
        return None
    names = dict(KnowledgePoint.objects.filter(pk__in=counts).values_list("pk", "name"))
    ranked = sorted((pk for pk in counts if pk in names), key=lambda pk: (pk != chosen, -counts[pk], names[pk]))
    options = [
        Option(names[pk], counts[pk], links.with_(kp="") if pk == chosen else links.with_(kp=str(pk)), pk == chosen)
        for pk in ranked
    ]
    return Group("kp", GROUP_TITLES["kp"], options[:KP_SHOWN], options[KP_SHOWN:])


def _groups(result: SearchPage, links: Links) -> list[Group]:
    grades = [name for _, name in code_choices("grade")]
    stages = [name for _, name in code_choices("stage")]
    groups = [
        _plain_group("stage", result, links, stages),
        _plain_group("subject", result, links),
        _plain_group("grade", result, links, grades),
        _plain_group("type", result, links),
        _plain_group("edition", result, links),
        _plain_group("volume", result, links, _volume_order()),
        _chapter_group(result, links),
        _kp_group(result, links),
    ]
    return [g for g in groups if g is not None]


def _chips(result: SearchPage, links: Links) -> list[Chip]:
    chips = []
    for key, value in result.filters.active().items():
        label = result.applied.get(key, value)
        if key == "chapter" and value.isdigit():
            chapter = Chapter.objects.filter(pk=int(value)).first()
            label = chapter.label if chapter else value
        elif key == "kp" and value.isdigit():
            label = KnowledgePoint.objects.filter(pk=int(value)).values_list("name", flat=True).first() or value
        chips.append(Chip(GROUP_TITLES[key], label, links.choose(key, "")))
    return chips


def _pages(result: SearchPage, links: Links) -> list[tuple[int | None, str]]:
    """Page numbers to link (None: a gap), first, last and two either side of the current one."""
    last, now = result.pages, result.page
    shown = sorted({1, last, *range(max(1, now - 2), min(last, now + 2) + 1)})
    out: list[tuple[int | None, str]] = []
    for i, n in enumerate(shown):
        if i and n - shown[i - 1] > 1:
            out.append((None, ""))
        out.append((n, links.with_(page=str(n) if n > 1 else "")))
    return out


def _decorate(result: SearchPage) -> None:
    for item in result.items:
        r = item.resource
        r.stage_name = code_name("stage", r.stage)  # type: ignore[attr-defined]
        r.subject_name = code_name("subject", r.subject)  # type: ignore[attr-defined]
        r.grade_name = code_name("grade", r.grade)  # type: ignore[attr-defined]
        name = r.current_version.original_name if r.current_version else ""
        ext = name.rsplit(".", 1)[-1] if "." in name else ""
        r.ext = ext.upper() if 0 < len(ext) <= 5 and ext.isascii() else ""  # type: ignore[attr-defined]


FACET_TITLES = {"grade": "年级", "volume": "册", "type": "类型", "subject": "学科", "stage": "学段", "edition": "版本"}
MODE_NAMES = {"all": "每个检索词都出现", "grams": "每个检索词都出现（长词可拆开）", "any": "只出现部分检索词"}


def _understood_note(result: SearchPage) -> str:
    """One line on what the query was read as, when that changed the results: 已按“八年级 下册”优先显示."""
    u = result.understood
    if u and u.get("filters_from_query") and any(k not in ("grade", "volume") for k in u["filters_from_query"]):
        # 七年级 数学 教案: nothing but labels, so the labels are the filters (decision 0059-search-latency).
        named = "、".join("/".join([v] if isinstance(v, str) else v[:1]) for v in u["filters_from_query"].values())
        return f"已按“{named}”筛选。"
    if not u or not u.get("shorthand"):
        return ""
    label = " ".join([u.get("grade") or "", *(u.get("volume") or [])[:1]]).strip()
    if u.get("filters_from_query"):
        return f"“{'、'.join(u['shorthand'])}”已按“{label}”筛选。"
    return f"“{'、'.join(u['shorthand'])}”已按“{label}”优先显示。"


def _explain_context(result: SearchPage) -> dict:
    u = result.understood
    if not u:
        return {}
    return {
        "explain_boosts": [f"{FACET_TITLES.get(k, k)}：{'、'.join(v)}" for k, v in u.get("boosts", {}).items()],
        "explain_filters": [
            f"{FACET_TITLES.get(k, k)}：{'、'.join([v] if isinstance(v, str) else v)}"
            for k, v in u.get("filters_from_query", {}).items()
        ],
        "explain_mode": MODE_NAMES.get(u.get("match_mode", ""), "") if u.get("terms") else "按条件列出，不限检索词",
    }


def resource_suggest(request: HttpRequest) -> JsonResponse:
    """Search-as-you-type for the search box (anyone: names of knowledge points, chapters, popular queries)."""
    return JsonResponse({"items": suggest(request.GET.get("q", ""))})


def _search_page(request: HttpRequest, *, base: str, public: bool, template: str, extra: dict) -> HttpResponse:
    query, filters, sort, page = _request_params(request)
    exact = request.GET.get("exact") == "1"
    explain = request.GET.get("explain") == "1"
    actor = None if public else request.user
    error = ""
    try:
        result = resource_search(
            actor=actor,
            query=query,
            filters=filters,
            sort=sort,
            page=page,
            limit=PAGE_SIZE,
            switchable_facets=True,
            database_fallback=True,
            exact=exact,
        )
    except ZhijiaoError as exc:  # a hand-edited URL: say what is wrong, show everything
        error = exc.message
        query, filters, sort = "", SearchFilters(), SORT_RELEVANCE
        result = resource_search(actor=actor, limit=PAGE_SIZE, switchable_facets=True, database_fallback=True)
    if result.page > result.pages:  # past the end (results went away): show the last page
        result = resource_search(
            actor=actor, query=query, filters=filters, sort=sort, page=result.pages, limit=PAGE_SIZE,
            switchable_facets=True, database_fallback=True,
        )  # fmt: skip
    _decorate(result)
    params = {"q": query, **filters.active(), "sort": "" if sort == SORT_RELEVANCE else sort}
    if result.page > 1:
        params["page"] = str(result.page)
    links = Links(base, {k: v for k, v in params.items() if k != "page"})
    context = {
        "result": result,
        "query": query,
        "base": base,
        "public": public,
        "error": error,
        "placeholder": PLACEHOLDER,
        "groups": _groups(result, links),
        "chips": _chips(result, links),
        "clear_url": links.with_(**dict.fromkeys(filters.active(), "")),
        "sort_tabs": [(key, label, links.with_(sort="" if key == SORT_RELEVANCE else key)) for key, label in SORT_TABS],
        "hidden": [(k, v) for k, v in params.items() if k not in ("q", "page") and v],
        "page_links": _pages(result, links) if result.pages > 1 else [],
        "prev_url": links.with_(page=str(result.page - 1) if result.page > 2 else "") if result.page > 1 else "",
        "next_url": links.with_(page=str(result.page + 1)) if result.page < result.pages else "",
        "exact_url": links.with_(exact="1"),
        "did_you_mean_url": links.with_(q=result.did_you_mean) if result.did_you_mean else "",
        "broader_links": [(text, links.with_(q=text)) for text in result.broader],
        "understood_note": _understood_note(result),
        "explain": explain and bool(result.understood),
        **_explain_context(result),
        **extra,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "res-search":
        return render(request, "resources/_search_results.html", {**context, "partial": True})
    return render(request, template, context)


@login_required
def resource_list_page(request: HttpRequest) -> HttpResponse:
    return _search_page(
        request,
        base="/resources/",
        public=False,
        template="resources/search.html",
        extra={
            "breadcrumbs": [("资源中心", None)],
            "is_reviewer": selectors.resource_is_reviewer(request.user),
            "may_upload": selectors.resource_may_upload(request.user),
            "may_edit_terms": search_terms_may_edit(actor=request.user),
        },
    )


def resource_public_page(request: HttpRequest) -> HttpResponse:
    return _search_page(request, base="/resources/public/", public=True, template="resources/public.html", extra={})

"""The search engine interface: what the resource centre hands an engine and what it gets back.

The default engine is tantivy on disk (:mod:`.tantivy_backend`); a province can implement
:class:`SearchBackend` on OpenSearch without touching the callers.

Visibility rule (applied by every backend, built from the caller's :class:`Visibility`):
a document is visible when ``status == "published"`` and one of
- ``sharing == "public"`` (公开);
- ``sharing == "city"`` (本市) and the owner's city code equals the caller's city code;
- ``sharing == "district"`` (本区) and the owner's district code equals the caller's district code;
- ``sharing == "school"`` (本校) and the owner's school code equals the caller's school code.
Anonymous callers (``Visibility()``) see published 公开 documents only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

STATUS_PUBLISHED = "published"
SHARING_SCHOOL = "school"  # 本校
SHARING_DISTRICT = "district"  # 本区
SHARING_CITY = "city"  # 本市
SHARING_PUBLIC = "public"  # 公开

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_RATING = "rating"
SORT_VALUE = "value"
SORTS = (SORT_RELEVANCE, SORT_NEWEST, SORT_RATING, SORT_VALUE)

# Filter / facet keys, shared by every backend.
FACET_FIELDS = ("stage", "subject", "grade", "type", "edition", "volume", "chapter_id", "kp_ids")


def city_code_of(division_code: str) -> str:
    """The 6-digit GB/T 2260 city code a district code belongs to (``440305`` → ``440300``)."""
    return division_code[:4] + "00" if len(division_code) >= 4 else division_code


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One resource as the engine sees it. Labels (stage, subject, …) are the Chinese display values."""

    id: str
    title: str
    description: str = ""
    keywords: Sequence[str] = ()
    kp_ids: Sequence[str] = ()
    kp_names: Sequence[str] = ()  # knowledge-point names and their aliases
    chapter_id: str = ""
    chapter_names: Sequence[str] = ()  # the chapter path, e.g. ("第十七章 勾股定理", "17.1 勾股定理")
    type: str = ""  # 微课, 课件, 教案, …
    stage: str = ""  # 学段: 小学, 初中, 高中
    subject: str = ""  # 学科
    grade: str = ""  # 年级: 七年级
    edition: str = ""  # 版本: 人教版
    volume: str = ""  # 册: 上册, 下册
    status: str = STATUS_PUBLISHED
    sharing: str = SHARING_SCHOOL
    owner_school_code: str = ""
    owner_division_code: str = ""  # the owner's district (区县) code; the city is derived from it
    rating: float = 0.0
    value_score: float = 0.0
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Visibility:
    """Who is searching. Empty = anonymous (公开 only)."""

    school_code: str = ""
    district_code: str = ""
    city_code: str = ""


@dataclass(slots=True)
class Hit:
    id: str
    score: float
    title_html: str  # escaped title with <mark> around matched terms
    snippet_html: str  # escaped description window with <mark> around matched terms


@dataclass(slots=True)
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class SearchBackend(Protocol):
    def index(self, docs: Iterable[SearchDoc]) -> int:
        """Add or replace (by id) documents; visible to searches after :meth:`commit`."""
        ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def commit(self) -> None: ...

    def search(
        self,
        query: str,
        *,
        visibility: Visibility,
        filters: dict[str, str | Sequence[str]] | None = None,
        sort: str = SORT_RELEVANCE,
        limit: int = 20,
        offset: int = 0,
        facets: bool = True,
    ) -> SearchResult:
        """Filters: a key of FACET_FIELDS → one value or several (OR within a key, AND across keys)."""
        ...

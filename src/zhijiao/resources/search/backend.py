"""The search engine interface: what the resource centre hands an engine and what it gets back.

The default engine is tantivy on disk (:mod:`.tantivy_backend`); a province can implement
:class:`SearchBackend` on OpenSearch without touching the callers.

Visibility rule (applied by every backend, built from the caller's :class:`Visibility`, the same rule as
``zhijiao.resources.selectors.resource_visible_qs`` for everyone but the author): a document is visible
only when ``status == "published"``, and then when one of
- the caller sees everything (platform administrator);
- ``sharing == "public"`` (公开);
- ``sharing == "city"`` (本市) and the owner's city (first 4 digits of its division code) is one of the caller's;
- ``sharing == "district"`` (本区) and the owner's division code is one of the caller's districts;
- ``sharing == "school"`` (本校) and the owner's school code is one of the caller's schools;
- the owner's division code starts with one of the caller's bureau prefixes (2, 4 or 6 digits), whatever the sharing.
Anonymous callers (``Visibility()``) see published 公开 documents only, and so do parents (家长): the selector
leaves their grants out of the terms, so an engine needs no role of its own. Search never shows unpublished work,
the author's own drafts included (those are listed by the resource centre, not searched).
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
    """The city a division code lies in: its first 4 digits (codes are prefix-hierarchical, 44 → 4403 → 440305)."""
    return division_code[:4]


def division_prefixes(division_code: str) -> list[str]:
    """The province, city and district prefixes of a division code, for bureau-wide visibility."""
    return [division_code[:n] for n in (2, 4, 6) if len(division_code) >= n]


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
    """Who is searching, as plain values (the fields of ``resources.selectors.VisibilityTerms``).

    Empty = anonymous (公开 only). Build it from the selector's terms with :meth:`from_terms`.
    """

    everything: bool = False
    school_codes: frozenset[str] = frozenset()
    district_codes: frozenset[str] = frozenset()  # 6 digits
    city_codes: frozenset[str] = frozenset()  # 4 digits
    bureau_prefixes: frozenset[str] = frozenset()

    @classmethod
    def teacher(cls, school_code: str, district_code: str) -> Visibility:
        """A teacher at one school: 本校 of that school, 本区 of its district, 本市 of its city, 公开."""
        return cls(
            school_codes=frozenset({school_code}),
            district_codes=frozenset({district_code}),
            city_codes=frozenset({city_code_of(district_code)}),
        )

    @classmethod
    def from_terms(cls, terms: object) -> Visibility:
        """From any object with the same attribute names (``VisibilityTerms``), missing ones empty."""
        return cls(
            everything=bool(getattr(terms, "everything", False)),
            **{
                name: frozenset(getattr(terms, name, ()) or ())
                for name in ("school_codes", "district_codes", "city_codes", "bureau_prefixes")
            },
        )


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One thing the query asks for: the word as understood, then what else counts as it (variants, synonyms),
    all normalised query words (:func:`.analysis.normalize`). A document matches the term through any of them."""

    word: str  # one token, or several separated by spaces that must all match (a phrase, a formula)
    alternatives: tuple[str, ...] = ()  # besides ``word``
    required: bool = True  # False: it ranks what has it higher but need not match (课件 in 勾股定理 课件)
    # How much each form of ``forms`` counts when found (1.0 = the word typed); empty: the engine's default
    # (the word 1.0, an alternative less). Query understanding sets them: an English synonym of a Chinese word counts
    # less, a formula's name more than its letters.
    weights: tuple[float, ...] = ()

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.word, *(a for a in self.alternatives if a != self.word))

    def weight(self, i: int, default: float) -> float:
        """The weight of ``forms[i]``: the one understanding set, else 1.0 for the word and ``default`` for others."""
        if i < len(self.weights):
            return self.weights[i]
        return 1.0 if i == 0 else default


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query after query understanding (:mod:`.understand`): every required term must match (AND, the engine may
    relax it when nothing does), the others only add to the score; ``boosts`` rank documents with these facet values
    higher without excluding others (七上 → grade 七年级, volume 上册)."""

    terms: tuple[QueryTerm, ...] = ()
    boosts: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet key, values)
    # With at least this many required terms and fewer hits than a page, the documents missing one term follow
    # (0: the engine's default, 3). Understanding asks for 2 when each term is a whole word of its own (a name, a
    # dictionary word, a word typed apart), not a fragment the segmenter cut from an unknown word.
    backfill_terms: int = 0
    # True: no term has to match, the filters alone decide what does and every term only ranks (a query of nothing
    # but words that state constraints, turned into filters by :func:`.understand.constraint_filters`). False: a
    # query without a required term needs all of its terms.
    scored_only: bool = False

    @property
    def marks(self) -> list[str]:
        """What to highlight: every form of every term (a form of several words: those of 2+ characters)."""
        out: list[str] = []
        for t in self.terms:
            for f in t.forms:
                out.extend([f] if " " not in f else [p for p in f.split() if len(p) > 1])
        return out


@dataclass(slots=True)
class Hit:
    id: str
    score: float
    title_html: str  # escaped title with <mark> around matched terms
    snippet_html: str  # escaped description window with <mark> around matched terms
    reason: str = ""  # why it matched when the title does not say: "知识点「勾股定理」" …
    title: str = ""  # plain, for highlighting above the engine (search(..., highlight=False))
    description: str = ""
    group: str = ""  # what near-duplicates share (chapter, else knowledge points), for diversifying a page
    type: str = ""  # 微课, 课件, …


# How the engine matched the words (SearchResult.mode): all of them as words or short substrings; all of them, long
# words as substrings too; any one of them (the last resort).
MODE_ALL = "all"
MODE_GRAMS = "grams"
MODE_ANY = "any"


@dataclass(slots=True)
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    mode: str = MODE_ALL


class SearchBackend(Protocol):
    def index(self, docs: Iterable[SearchDoc]) -> int:
        """Add or replace (by id) documents; visible to searches after :meth:`commit`."""
        ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def commit(self) -> None: ...

    def search(
        self,
        query: str | ParsedQuery,
        *,
        visibility: Visibility,
        filters: dict[str, str | Sequence[str]] | None = None,
        sort: str = SORT_RELEVANCE,
        limit: int = 20,
        offset: int = 0,
        facets: bool = True,
        highlight: bool = True,
    ) -> SearchResult:
        """``highlight=False``: leave ``title_html``/``snippet_html`` empty (the caller marks the hits it shows).
        Filters: a key of FACET_FIELDS → one value or several (OR within a key, AND across keys). A plain string
        query is split into words by the engine's analyzer, each its own :class:`QueryTerm`."""
        ...

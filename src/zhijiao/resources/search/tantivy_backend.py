"""The default search engine: a tantivy index on disk, with jieba words and character n-grams.

Text fields come in pairs: ``*_w`` holds jieba words (search mode), ``*_g`` character unigrams and
bigrams, so a 1–2 character query (圆, 函数) matches inside longer words. A query word matches a
document when it is one of its words *or* all of its bigrams are among its n-grams; every query word
must match (AND), falling back to any word (OR) only when that finds nothing. Boosts rank title over
keywords / knowledge points over chapter and labels over description, and words over n-grams.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from .analysis import Analyzer, ngrams, snippet, word_grams
from .backend import (
    FACET_FIELDS,
    SHARING_CITY,
    SHARING_DISTRICT,
    SHARING_PUBLIC,
    SHARING_SCHOOL,
    SORT_NEWEST,
    SORT_RATING,
    SORT_RELEVANCE,
    SORT_VALUE,
    STATUS_PUBLISHED,
    Hit,
    SearchDoc,
    SearchResult,
    Visibility,
    city_code_of,
    division_prefixes,
)

TOKENIZER = "zh_ws"
# (field, boost) for a query word matched as a jieba word, then as n-grams.
WORD_FIELDS = (("title_w", 4.0), ("kw_w", 2.5), ("meta_w", 1.5), ("desc_w", 0.8))
GRAM_FIELDS = (("title_g", 1.2), ("kw_g", 0.8), ("meta_g", 0.5), ("desc_g", 0.3))
KEYWORD_FIELDS = (*FACET_FIELDS, "id", "status", "sharing", "school", "district", "city", "division_prefix")
SORT_FIELDS = {SORT_NEWEST: "published_at", SORT_RATING: "rating", SORT_VALUE: "value_score"}
FACET_SIZES = {"chapter_id": 30, "kp_ids": 30}
DEFAULT_TERMS = (
    "微课", "课件", "教案", "学案", "导学案", "教学设计", "试题", "试卷", "课例", "说课稿", "人教版",
    "北师大版", "苏科版", "华东师大版", "湘教版", "浙教版", "部编版", "上册", "下册", "全一册",
)  # fmt: skip


def default_index_dir() -> Path:
    home = Path(os.environ.get("ZHIJIAO_HOME", "var"))
    return home / "search" / "resources"


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, stored=name == "id", fast=name in FACET_FIELDS, tokenizer_name="raw")
    for base in ("title", "kw", "meta", "desc"):
        sb.add_text_field(f"{base}_w", tokenizer_name=TOKENIZER, index_option="freq")
        sb.add_text_field(f"{base}_g", tokenizer_name=TOKENIZER, index_option="freq")
    sb.add_float_field("rating", fast=True)
    sb.add_float_field("value_score", fast=True)
    sb.add_integer_field("published_at", fast=True)
    sb.add_bytes_field("display", stored=True)
    return sb.build()


def _count(found: tantivy.SearchResult) -> int:
    """The number of matching documents (``search(count=True)``; the bundled type stubs omit it)."""
    return int(getattr(found, "count", 0) or 0)


class TantivyBackend:
    """Implements :class:`~.backend.SearchBackend`. One writer per index directory (tantivy locks it)."""

    word_fields: tuple[tuple[str, float], ...] = WORD_FIELDS
    gram_fields: tuple[tuple[str, float], ...] = GRAM_FIELDS
    # Query words of 3+ characters match their n-grams only when their words find nothing (see search()).
    long_gram_fields: tuple[tuple[str, float], ...] = GRAM_FIELDS[:2]  # title and keywords

    def __init__(self, path: str | os.PathLike[str] | None = None, *, terms: Iterable[str] = ()) -> None:
        self.path = Path(path) if path is not None else default_index_dir()
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index_ = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        ws = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        self.index_.register_tokenizer(TOKENIZER, ws)
        self.analyzer = Analyzer([*DEFAULT_TERMS, *terms])
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()
        # Facet counts run beside the top-hits search (tantivy releases the GIL while it searches).
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-facets")

    # ---- writing -------------------------------------------------------------------------------
    def _get_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index_.writer(heap_size=256_000_000, num_threads=1)
        return self._writer

    def add_terms(self, terms: Iterable[str]) -> None:
        """More dictionary words (new knowledge points); documents indexed before keep their tokens."""
        self.analyzer.add_terms(terms)

    def to_document(self, d: SearchDoc) -> tantivy.Document:
        an = self.analyzer
        kw_text = " ".join([*d.keywords, *d.kp_names])
        meta_text = " ".join([*d.chapter_names, d.type, d.stage, d.subject, d.grade, d.edition, d.volume])
        doc = tantivy.Document()
        doc.add_text("id", d.id)
        for name, value in (
            ("stage", d.stage), ("subject", d.subject), ("grade", d.grade), ("type", d.type),
            ("edition", d.edition), ("volume", d.volume), ("chapter_id", d.chapter_id), ("status", d.status),
            ("sharing", d.sharing), ("school", d.owner_school_code), ("district", d.owner_division_code),
            ("city", city_code_of(d.owner_division_code)),
        ):  # fmt: skip
            if value:
                doc.add_text(name, value)
        for kp in d.kp_ids:
            doc.add_text("kp_ids", kp)
        for prefix in division_prefixes(d.owner_division_code):
            doc.add_text("division_prefix", prefix)
        for base, text in (("title", d.title), ("kw", kw_text), ("meta", meta_text), ("desc", d.description)):
            doc.add_text(f"{base}_w", " ".join(an.words(text)))
            doc.add_text(f"{base}_g", " ".join(ngrams(text)))
        doc.add_float("rating", float(d.rating))
        doc.add_float("value_score", float(d.value_score))
        doc.add_integer("published_at", int(d.published_at.timestamp()) if d.published_at else 0)
        display = {"t": d.title, "d": d.description}
        doc.add_bytes("display", json.dumps(display, ensure_ascii=False).encode())
        return doc

    def index(self, docs: Iterable[SearchDoc], *, replace: bool = True) -> int:
        """Add documents (replacing any with the same id unless ``replace=False``, for fresh bulk loads)."""
        n = 0
        with self._lock:
            writer = self._get_writer()
            for d in docs:
                if replace:
                    writer.delete_documents_by_term("id", d.id)
                writer.add_document(self.to_document(d))
                n += 1
        return n

    def delete(self, ids: Iterable[str]) -> None:
        with self._lock:
            writer = self._get_writer()
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)

    def commit(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.commit()
                self._writer.wait_merging_threads()
                self._writer = None
        self.index_.reload()

    # ---- reading -------------------------------------------------------------------------------
    def _term(self, field: str, value: str) -> Query:
        return Query.term_query(self.schema, field, value)

    def _word_clause(self, word: str, *, long_grams: bool) -> Query:
        should: list[tuple[Occur, Query]] = []
        for field, boost in self.word_fields:
            should.append((Occur.Should, Query.boost_query(self._term(field, word), boost)))
        grams = word_grams(word)
        gram_fields = self.long_gram_fields if long_grams else ()
        for field, boost in self.gram_fields if len(grams) == 1 else gram_fields:
            if len(grams) == 1:
                q = self._term(field, grams[0])
            else:
                q = Query.boolean_query([(Occur.Must, self._term(field, g)) for g in dict.fromkeys(grams)])
            should.append((Occur.Should, Query.boost_query(q, boost)))
        return Query.boolean_query(should)

    def _filter_clauses(
        self, visibility: Visibility, filters: dict[str, str | Sequence[str]] | None
    ) -> list[tuple[Occur, Query]]:
        def zero(q: Query) -> Query:
            return Query.const_score_query(q, 0.0)

        t = self._term
        clauses = [(Occur.Must, zero(t("status", STATUS_PUBLISHED)))]
        if not visibility.everything:
            scopes = [t("sharing", SHARING_PUBLIC)]
            for sharing, field, codes in (
                (SHARING_CITY, "city", visibility.city_codes),
                (SHARING_DISTRICT, "district", visibility.district_codes),
                (SHARING_SCHOOL, "school", visibility.school_codes),
            ):
                if codes:
                    owner = Query.term_set_query(self.schema, field, sorted(codes))
                    scopes.append(Query.boolean_query([(Occur.Must, t("sharing", sharing)), (Occur.Must, owner)]))
            if visibility.bureau_prefixes:
                scopes.append(Query.term_set_query(self.schema, "division_prefix", sorted(visibility.bureau_prefixes)))
            clauses.append((Occur.Must, zero(Query.boolean_query([(Occur.Should, q) for q in scopes]))))
        for key, value in (filters or {}).items():
            if key not in FACET_FIELDS:
                raise ValueError(f"未知的筛选字段：{key}")
            values = [value] if isinstance(value, str) else list(value)
            if values:
                clauses.append((Occur.Must, zero(Query.term_set_query(self.schema, key, values))))
        return clauses

    def build_query(
        self,
        words: Sequence[str],
        visibility: Visibility,
        filters: dict[str, str | Sequence[str]] | None,
        *,
        any_word: bool = False,
        long_grams: bool = False,
    ) -> Query:
        clauses = self._filter_clauses(visibility, filters)
        if words:
            occur = Occur.Should if any_word else Occur.Must
            text = Query.boolean_query([(occur, self._word_clause(w, long_grams=long_grams)) for w in words])
            clauses.append((Occur.Must, text))
        else:
            clauses.append((Occur.Must, Query.all_query()))
        return Query.boolean_query(clauses)

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
        if sort not in (SORT_RELEVANCE, *SORT_FIELDS):
            raise ValueError(f"未知的排序方式：{sort}")
        words = self.analyzer.query_words(query)
        searcher = self.index_.searcher()
        # Every word must match, as a word or (1–2 characters) as a substring; failing that, and unless the
        # caller narrowed by filters (then no result is an answer), longer words may match as substrings too
        # (all their bigrams in title or keywords); failing that, any word will do.
        attempts = [{"any_word": False, "long_grams": False}]
        if not any(filters.values() if filters else ()):
            if any(len(word_grams(w)) > 1 for w in words):
                attempts.append({"any_word": False, "long_grams": True})
            if len(words) > 1:
                attempts.append({"any_word": True, "long_grams": True})
        pending = None
        for i, attempt in enumerate(attempts):
            q = self.build_query(words, visibility, filters, **attempt)
            # Facets of the first attempt run beside it; a fallback's are counted after, only if it finds any.
            pending = self._pool.submit(self._facets, searcher, q) if facets and i == 0 else None
            found = self._run(searcher, q, sort, limit, offset)
            total = _count(found)
            if total or i == len(attempts) - 1:
                break
        marks = list(words)
        for w in words:
            marks.extend(word_grams(w))
        hits = []
        for score, address in found.hits:
            doc = searcher.doc(address)
            display = json.loads(bytes(doc.get_first("display") or b"{}").decode())
            hits.append(
                Hit(
                    id=str(doc.get_first("id")),
                    score=float(score) if score is not None else 0.0,
                    title_html=snippet(display["t"], marks, width=200),
                    snippet_html=snippet(display["d"], marks),
                )
            )
        facet_counts: dict[str, dict[str, int]] = {}
        if pending is not None:
            facet_counts = pending.result() if total else {}
        elif facets and total:
            facet_counts = self._facets(searcher, q)
        return SearchResult(hits=hits, total=total, facets=facet_counts)

    def _run(self, searcher: tantivy.Searcher, q: Query, sort: str, limit: int, offset: int) -> tantivy.SearchResult:
        if sort == SORT_RELEVANCE:
            return searcher.search(q, limit=limit, count=True, offset=offset)
        return searcher.search(
            q, limit=limit, count=True, offset=offset, order_by_field=SORT_FIELDS[sort], order=tantivy.Order.Desc
        )

    def _facets(self, searcher: tantivy.Searcher, q: Query) -> dict[str, dict[str, int]]:
        agg = {name: {"terms": {"field": name, "size": FACET_SIZES.get(name, 20)}} for name in FACET_FIELDS}
        result = searcher.aggregate(q, agg)
        return {
            name: {str(b["key"]): int(b["doc_count"]) for b in result.get(name, {}).get("buckets", [])}
            for name in FACET_FIELDS
        }

    def num_docs(self) -> int:
        return int(self.index_.searcher().num_docs)


_default: TantivyBackend | None = None
_default_lock = threading.Lock()


def default_backend(terms: Iterable[str] = ()) -> TantivyBackend:
    """The process's engine on ``$ZHIJIAO_HOME/search/resources``; ``terms`` are loaded on first use
    (later calls add any new ones to the segmentation dictionary)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = TantivyBackend(default_index_dir(), terms=terms)
        else:
            _default.add_terms(terms)
        return _default

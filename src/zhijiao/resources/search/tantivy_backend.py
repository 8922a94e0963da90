"""The default search engine: a tantivy index on disk, with jieba words and character n-grams.

Text fields come in pairs: ``*_w`` holds jieba words (search mode), ``*_g`` character unigrams and
bigrams, so a 1–2 character query (圆, 函数) matches inside longer words; ``sub_w`` holds dictionary
words inside longer words (勾股定理 in 勾股定理的逆定理), scored below a word of its own. A query word matches a
document when it is one of its words *or* all of its bigrams are among its n-grams; every required term of the
:class:`~.backend.ParsedQuery` must match through one of its forms (AND), falling back to any term (OR) only when
that finds nothing; a long query with fewer hits than a page is followed by the documents missing one term.
Boosts rank title over keywords / knowledge points over chapter and labels over description, and words over
n-grams.

Two things keep a query over a million documents cheap:

- who may see a document is indexed with it, as ``vis`` tokens (``pub``, ``c:<city>``, ``d:<district>``,
  ``s:<school>``, ``b:<prefix>`` and ``all``, only on published documents), so the visibility rule is one
  term-set query instead of a boolean over sharing, owner and status fields;
- ``any_w`` / ``any_g`` hold every word / n-gram of the four text fields (no frequencies), so the facet
  count matches the same documents as the ranked query with one or two posting lists per query word
  instead of eight scored ones.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from .analysis import Analyzer, gram_covers_word, normalize, word_grams
from .backend import (
    FACET_FIELDS,
    MODE_ALL,
    MODE_ANY,
    MODE_GRAMS,
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
    ParsedQuery,
    QueryTerm,
    SearchDoc,
    SearchResult,
    Visibility,
    city_code_of,
    division_prefixes,
)

TOKENIZER = "zh_ws"
# (field, boost) for a query word matched as a jieba word, then as n-grams.
WORD_FIELDS = (("title_w", 4.0), ("kw_w", 2.5), ("meta_w", 1.5), ("desc_w", 0.8), ("sub_w", 1.5))
GRAM_FIELDS = (("title_g", 1.2), ("kw_g", 0.8), ("meta_g", 0.5), ("desc_g", 0.3))
KEYWORD_FIELDS = (*FACET_FIELDS, "id", "vis")
# The index lives in <path>/v<SCHEMA_VERSION>; a new schema starts an empty folder (run resources_reindex).
SCHEMA_VERSION = 3
VIS_ALL = "all"
SORT_FIELDS = {SORT_NEWEST: "published_at", SORT_RATING: "rating", SORT_VALUE: "value_score"}
# Facet counts without query words (the resource centre's first page) count every visible document — the costliest
# query — and are the same for every caller with the same visibility and filters until the index changes: they are
# kept per index state (meta.json's mtime and size, which every commit rewrites) for at most this long.
FACET_CACHE_SECONDS = 60.0
FACET_CACHE_SIZE = 256
FACET_SIZES = {"chapter_id": 30, "kp_ids": 30}
# Label fields that hold several values per document (the others hold one).
MULTI_VALUED = frozenset({"kp_ids"})
# Score a document gets per boost a parsed query asks for (七上 → 七年级, 上册; 课件 → the type 课件): about what a
# topic word found in the title earns in a library of thousands (a stated grade or type is a constraint, and the words
# that state it do not score through the text: a keyword list repeating 英语 is not what 英语 asks for).
BOOST_SCORE = 20.0
# A term's variants and synonyms score through a disjunction-max: the best form counts, the others this much.
FORMS_TIE_BREAKER = 0.1
# A query of this many required terms with fewer hits than a page is followed by the documents missing one of them
# (a parsed query may ask for fewer: ParsedQuery.backfill_terms).
BACKFILL_TERMS = 3
# A word's score over the fields: the best field's and this share of the others' (None: the sum).
FIELDS_TIE_BREAKER: float | None = 0.3
# A variant or synonym found scores this share of the word typed (the teacher's own word first).
ALTERNATIVE_WEIGHT = 0.7
DEFAULT_TERMS = (
    "微课", "课件", "教案", "学案", "导学案", "教学设计", "试题", "试卷", "课例", "说课稿", "人教版",
    "北师大版", "苏科版", "华东师大版", "湘教版", "浙教版", "部编版", "上册", "下册", "全一册",
)  # fmt: skip


def default_index_dir() -> Path:
    home = Path(os.environ.get("ZHIJIAO_HOME", "var"))
    return home / "search" / "resources"


def visibility_tokens(d: SearchDoc) -> list[str]:
    """Who may find ``d`` (the rule in :mod:`.backend`), as ``vis`` tokens; none unless it is published."""
    if d.status != STATUS_PUBLISHED:
        return []
    code = {
        SHARING_PUBLIC: "pub",
        SHARING_CITY: city_code_of(d.owner_division_code),
        SHARING_DISTRICT: d.owner_division_code,
        SHARING_SCHOOL: d.owner_school_code,
    }.get(d.sharing, "")
    scope = {SHARING_PUBLIC: "", SHARING_CITY: "c:", SHARING_DISTRICT: "d:", SHARING_SCHOOL: "s:"}.get(d.sharing, "")
    tokens = [VIS_ALL, *([scope + code] if code else [])]
    tokens.extend(f"b:{prefix}" for prefix in division_prefixes(d.owner_division_code))
    return tokens


def visibility_query_tokens(v: Visibility) -> list[str]:
    """The ``vis`` tokens a caller may see: any one of them makes a document visible."""
    if v.everything:
        return [VIS_ALL]
    return [
        "pub",
        *(f"c:{c}" for c in sorted(v.city_codes)),
        *(f"d:{c}" for c in sorted(v.district_codes)),
        *(f"s:{c}" for c in sorted(v.school_codes)),
        *(f"b:{c}" for c in sorted(v.bureau_prefixes)),
    ]


@dataclass(frozen=True, slots=True)
class PreparedDoc:
    """A document analysed into index tokens: plain values, so analysis can run in another process."""

    id: str
    texts: list[tuple[str, str]]  # (field, value or space-separated tokens), a field repeated per value
    rating: float
    value_score: float
    published_at: int
    display: bytes


def prepare(d: SearchDoc, analyzer: Analyzer) -> PreparedDoc:
    """Analyse ``d``: labels as keywords, ``vis`` tokens, jieba words and n-grams of the four text fields."""
    kw_text = " ".join([*d.keywords, *d.kp_names])
    meta_text = " ".join([*d.chapter_names, d.type, d.stage, d.subject, d.grade, d.edition, d.volume])
    texts = [
        (name, value)
        for name, value in (
            ("stage", d.stage), ("subject", d.subject), ("grade", d.grade), ("type", d.type),
            ("edition", d.edition), ("volume", d.volume), ("chapter_id", d.chapter_id),
        )
        if value
    ]  # fmt: skip
    texts.extend(("kp_ids", kp) for kp in d.kp_ids)
    texts.extend(("vis", token) for token in visibility_tokens(d))
    any_w: dict[str, None] = {}
    any_g: dict[str, None] = {}
    sub_w: dict[str, None] = {}
    # Keywords and the chapter path with its labels repeat across a chapter's resources: analysed once.
    for base, text, shared in (
        ("title", d.title, False), ("kw", kw_text, True), ("meta", meta_text, True), ("desc", d.description, False),
    ):  # fmt: skip
        words, grams, subwords = analyzer.analyse(text, cache=shared)
        # Each token once per field: a title repeating a word (圆 圆的面积 圆) is not more about it.
        unique_w = dict.fromkeys(words)
        unique_g = dict.fromkeys(grams)
        texts.append((f"{base}_w", " ".join(unique_w)))
        texts.append((f"{base}_g", " ".join(unique_g)))
        any_w.update(unique_w)
        any_g.update(unique_g)
        if base in ("title", "kw"):
            sub_w.update(dict.fromkeys(subwords))
    any_w.update(sub_w)
    texts.append(("sub_w", " ".join(sub_w)))
    texts.append(("any_w", " ".join(any_w)))
    texts.append(("any_g", " ".join(any_g)))
    return PreparedDoc(
        id=d.id,
        texts=texts,
        rating=float(d.rating),
        value_score=float(d.value_score),
        published_at=int(d.published_at.timestamp()) if d.published_at else 0,
        display=json.dumps(
            {
                "t": d.title,
                "d": d.description,
                "k": list(d.keywords),
                "p": list(d.kp_names),
                "c": list(d.chapter_names),
                "y": d.type,
                "g": d.chapter_id or ",".join(d.kp_ids[:2]),
            },
            ensure_ascii=False,
        ).encode(),
    )


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, stored=name == "id", fast=name in FACET_FIELDS, tokenizer_name="raw")
    for base in ("title", "kw", "meta", "desc"):
        sb.add_text_field(f"{base}_w", tokenizer_name=TOKENIZER, index_option="freq")
        sb.add_text_field(f"{base}_g", tokenizer_name=TOKENIZER, index_option="freq")
    sb.add_text_field("sub_w", tokenizer_name=TOKENIZER, index_option="freq")
    sb.add_text_field("any_w", tokenizer_name=TOKENIZER, index_option="basic")
    sb.add_text_field("any_g", tokenizer_name=TOKENIZER, index_option="basic")
    sb.add_float_field("rating", fast=True)
    sb.add_float_field("value_score", fast=True)
    sb.add_integer_field("published_at", fast=True)
    sb.add_bytes_field("display", stored=True)
    return sb.build()


def _optional_chain(required: Query, optional: Sequence[Query]) -> Query:
    """``required`` scored up by each ``optional`` clause a document matches, as a chain of one optional clause per
    level (((required + a) + b) + c) rather than one boolean with every optional clause: tantivy reads several
    optional clauses as a union that scores every posting of each of them in each block of 4,096 documents the
    required ones reach, while a single optional clause is only advanced to the documents that match. Same documents,
    same scores (the same sum, added in another order), a fraction of the work when the optional clauses are common
    labels or words (上册, 人教版, 数学) and the required ones are not."""
    q = required
    for clause in optional:
        q = Query.boolean_query([(Occur.Must, q), (Occur.Should, clause)])
    return q


def _count(found: tantivy.SearchResult) -> int:
    """The number of matching documents (``search(count=True)``; the bundled type stubs omit it)."""
    return int(getattr(found, "count", 0) or 0)


class TantivyBackend:
    """Implements :class:`~.backend.SearchBackend`. One writer per index directory (tantivy locks it)."""

    word_fields: tuple[tuple[str, float], ...] = WORD_FIELDS
    gram_fields: tuple[tuple[str, float], ...] = GRAM_FIELDS
    # Query words of 3+ characters match their n-grams only when their words find nothing (see search()).
    long_gram_fields: tuple[tuple[str, float], ...] = GRAM_FIELDS[:2]  # title and keywords
    dense_fields: frozenset[str] = frozenset({"meta_w", "meta_g", "desc_w", "desc_g"})
    dense_fraction: float | None = 0.2

    def __init__(self, path: str | os.PathLike[str] | None = None, *, terms: Iterable[str] = ()) -> None:
        self.path = Path(path) if path is not None else default_index_dir()
        self.index_path = self.path / f"v{SCHEMA_VERSION}"
        self.index_path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        self.index_ = tantivy.Index(self.schema, path=str(self.index_path), reuse=True)
        ws = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        self.index_.register_tokenizer(TOKENIZER, ws)
        self.analyzer = Analyzer([*DEFAULT_TERMS, *terms])
        self._writer: tantivy.IndexWriter | None = None
        self._lock = threading.Lock()
        # Facet counts run beside the top-hits search (tantivy releases the GIL while it searches).
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="search-facets")
        self._facet_cache: dict[tuple, tuple[float, dict[str, dict[str, int]]]] = {}

    # ---- writing -------------------------------------------------------------------------------
    def _get_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index_.writer(heap_size=256_000_000, num_threads=1)
        return self._writer

    def add_terms(self, terms: Iterable[str]) -> None:
        """More dictionary words (new knowledge points); documents indexed before keep their tokens."""
        self.analyzer.add_terms(terms)

    def to_document(self, d: SearchDoc | PreparedDoc) -> tantivy.Document:
        p = d if isinstance(d, PreparedDoc) else prepare(d, self.analyzer)
        doc = tantivy.Document()
        doc.add_text("id", p.id)
        for name, value in p.texts:
            doc.add_text(name, value)
        doc.add_float("rating", p.rating)
        doc.add_float("value_score", p.value_score)
        doc.add_integer("published_at", p.published_at)
        doc.add_bytes("display", p.display)
        return doc

    def index(self, docs: Iterable[SearchDoc | PreparedDoc], *, replace: bool = True) -> int:
        """Add documents (replacing any with the same id unless ``replace=False``, for fresh bulk loads);
        :class:`PreparedDoc` ones were analysed already (by :func:`prepare`, in another process say)."""
        n = 0
        with self._lock:
            writer = self._get_writer()
            for d in docs:
                if replace:
                    writer.delete_documents_by_term("id", d.id)
                writer.add_document(self.to_document(d))
                n += 1
        return n

    def clear(self) -> None:
        """Drop every document (visible to searches after :meth:`commit`), before a full rebuild."""
        with self._lock:
            self._get_writer().delete_all_documents()

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

    def _scoring_clauses(self, word: str, *, long_grams: bool, searcher: tantivy.Searcher | None) -> list[Query]:
        """What ``word`` adds to a document's score: its field clauses (:meth:`_field_clauses`) as one
        (:meth:`_fields_max`); a form of several words, the sum of its words'."""
        if " " in word:  # a form of several words (pythagorean theorem): the sum of its words'
            parts = word.split()
            return [q for part in parts for q in self._scoring_clauses(part, long_grams=long_grams, searcher=searcher)]
        return self._fields_max(self._field_clauses(word, long_grams=long_grams, searcher=searcher))

    def _field_clauses(self, word: str, *, long_grams: bool, searcher: tantivy.Searcher | None) -> list[Query]:
        """A boosted clause per field one ``word`` may match in. With a
        searcher, a word in more than ``dense_fraction`` of the documents' ``dense_fields`` (a label such as
        数学 or 上册 in the chapter-and-labels field) scores nothing there: it still has to match, but scoring
        it would walk most of the index for a near-constant score."""
        grams = word_grams(word)
        if len(word) == 1 and gram_covers_word(word) and self.gram_fields:
            # One Chinese character: where it occurs counts, not how short the text is (BM25 would put 圆 圆 圆 first)
            # nor whether the segmenter happened to cut it out as a word.
            return [
                Query.const_score_query(q, boost * 2.0) if field == "title_g" else Query.boost_query(q, boost)
                for field, boost in self.gram_fields
                for q in [self._term(field, word)]
            ]
        dense = 0
        if searcher is not None and self.dense_fraction is not None:
            dense = max(1, int(searcher.num_docs * self.dense_fraction))
        out: list[Query] = []
        for field, boost in self.word_fields:
            if not (dense and field in self.dense_fields and searcher and searcher.doc_freq(field, word) > dense):
                out.append(Query.boost_query(self._term(field, word), boost))
        gram_fields = self.long_gram_fields if long_grams else ()
        for field, boost in self.gram_fields if len(grams) == 1 else gram_fields:
            if len(grams) == 1:
                if dense and field in self.dense_fields and searcher and searcher.doc_freq(field, grams[0]) > dense:
                    continue
                q = self._term(field, grams[0])
            else:
                q = Query.boolean_query([(Occur.Must, self._term(field, g)) for g in dict.fromkeys(grams)])
            out.append(Query.boost_query(q, boost))
        return out

    @staticmethod
    def _fields_max(clauses: list[Query]) -> list[Query]:
        """One word's clauses over the fields as one: the best field counts, the others ``FIELDS_TIE_BREAKER`` of
        theirs. A word found in the title, the keywords, the knowledge points and the chapter is not four times as
        much about it: summed, the fields a library happens to fill would outweigh a type or grade asked for."""
        if len(clauses) < 2 or FIELDS_TIE_BREAKER is None:
            return clauses
        return [Query.disjunction_max_query(clauses, FIELDS_TIE_BREAKER)]

    def _term_scoring(self, term: QueryTerm, *, long_grams: bool, searcher: tantivy.Searcher | None) -> list[Query]:
        """A term's scoring clauses: its word's, or (variants, synonyms) the best of its forms' sums."""
        forms = term.forms
        if len(forms) == 1:
            return self._scoring_clauses(forms[0], long_grams=long_grams, searcher=searcher)
        each = []
        for i, form in enumerate(forms):
            clauses = self._scoring_clauses(form, long_grams=long_grams, searcher=searcher)
            if clauses:
                # A form of n words scores as one word (its words' mean); another form than the one typed, less.
                weight = term.weight(i, ALTERNATIVE_WEIGHT) / max(1, len(form.split()))
                each.append(Query.boost_query(Query.boolean_query([(Occur.Should, q) for q in clauses]), weight))
        return [Query.disjunction_max_query(each, FORMS_TIE_BREAKER)] if each else []

    def _term_match(self, term: QueryTerm, *, long_grams: bool) -> Query:
        forms = term.forms
        if len(forms) == 1:
            return self._match_clause(forms[0], long_grams=long_grams)
        return Query.boolean_query([(Occur.Should, self._match_clause(f, long_grams=long_grams)) for f in forms])

    def _match_clause(self, word: str, *, long_grams: bool) -> Query:
        """The documents :meth:`_word_clause` matches, unscored: the word in any text field (``any_w``), or its
        one n-gram in any (``any_g``), or (``long_grams``) all its bigrams in one of ``long_gram_fields``."""
        if " " in word:  # every word of a form of several words
            parts = [self._match_clause(part, long_grams=long_grams) for part in word.split()]
            return Query.boolean_query([(Occur.Must, q) for q in parts])
        options: list[Query] = []
        grams = word_grams(word)
        # A Chinese word of 1–2 characters is its own n-gram, and n-grams cover every word: one list is enough.
        if self.word_fields and not (self.gram_fields and gram_covers_word(word)):
            options.append(self._term("any_w", word))
        if self.gram_fields and len(grams) == 1:
            options.append(self._term("any_g", grams[0]))
        elif self.gram_fields and long_grams:
            for field, _ in self.long_gram_fields:
                options.append(Query.boolean_query([(Occur.Must, self._term(field, g)) for g in dict.fromkeys(grams)]))
        if len(options) == 1:
            return options[0]
        return Query.boolean_query([(Occur.Should, q) for q in options])

    def _visibility_query(self, visibility: Visibility) -> Query:
        tokens = visibility_query_tokens(visibility)
        if len(tokens) == 1:
            return self._term("vis", tokens[0])
        return Query.term_set_query(self.schema, "vis", tokens)

    def _filter_clauses(
        self,
        visibility: Visibility,
        filters: dict[str, str | Sequence[str]] | None,
        searcher: tantivy.Searcher | None = None,
    ) -> list[tuple[Occur, Query]]:
        """The visibility rule and the chosen labels, unscored. A filter of several values (a grade and its other
        name, 八年级 | 初二) leaves out, with a ``searcher``, the values no document has (they match nothing in it);
        several left on a single-valued field are a clause per value, not a term set (a bitset of every posting)."""

        def zero(q: Query) -> Query:
            return Query.const_score_query(q, 0.0)

        clauses = [(Occur.Must, zero(self._visibility_query(visibility)))]
        for key, value in (filters or {}).items():
            if key not in FACET_FIELDS:
                raise ValueError(f"未知的筛选字段：{key}")
            values = list(dict.fromkeys([value] if isinstance(value, str) else value))
            if len(values) > 1 and searcher is not None:
                values = [v for v in values if searcher.doc_freq(key, v)] or values[:1]
            if len(values) == 1:
                clauses.append((Occur.Must, zero(self._term(key, values[0]))))
            elif values and key in MULTI_VALUED:
                clauses.append((Occur.Must, zero(Query.term_set_query(self.schema, key, values))))
            elif values:
                either = Query.boolean_query([(Occur.Should, self._term(key, v)) for v in values])
                clauses.append((Occur.Must, zero(either)))
        return clauses

    def build_query(
        self,
        words: Sequence[str | QueryTerm],
        visibility: Visibility,
        filters: dict[str, str | Sequence[str]] | None,
        *,
        any_word: bool = False,
        long_grams: bool = False,
        match_only: bool = False,
        searcher: tantivy.Searcher | None = None,
        boosts: Sequence[tuple[str, Sequence[str]]] = (),
    ) -> Query:
        """The ranked query, or (``match_only``, for facet counts and sorted pages) an unscored one.

        Both match the same documents (the match query, unscored); the ranked one adds every word's scoring
        clauses as optional, so they are only read for documents that match (dense ones left out, see
        :meth:`_scoring_clauses`, when a ``searcher`` is given)."""
        clauses = self._filter_clauses(visibility, filters, searcher)
        terms = [w if isinstance(w, QueryTerm) else QueryTerm(w) for w in words]
        needed = [t for t in terms if t.required]
        optional: list[Query] = []
        if not needed and not match_only:  # terms that only rank (ParsedQuery.scored_only)
            for t in terms:
                optional.extend(self._term_scoring(t, long_grams=long_grams, searcher=searcher))
        if needed:
            occur = Occur.Should if any_word else Occur.Must
            match = Query.boolean_query([(occur, self._term_match(t, long_grams=long_grams)) for t in needed])
            if match_only:
                clauses.append((Occur.Must, match))
            else:
                clauses.append((Occur.Must, Query.const_score_query(match, 0.0)))
                # A word that only states a constraint (课件, 数学, 人教版) ranks through its label (``boosts``), not
                # through the text: a keyword list that repeats 英语 says nothing about the topic asked for.
                for t in needed:
                    optional.extend(self._term_scoring(t, long_grams=long_grams, searcher=searcher))
        else:
            clauses.append((Occur.Must, Query.all_query()))
        if not match_only:
            optional.extend(self._boost_clauses(boosts))
        return _optional_chain(Query.boolean_query(clauses), optional)

    def _boost_clauses(self, boosts: Sequence[tuple[str, Sequence[str]]]) -> list[Query]:
        """``BOOST_SCORE`` for a document with one of a facet's values, per boost. A label field holds one value per
        document (all but ``kp_ids``): a clause per value scores the same as one over the set, and each is only read
        for the documents that match (a term set reads every posting of every value: 上册 is half the index)."""
        out: list[Query] = []
        for key, values in boosts:
            if key not in FACET_FIELDS or not values:
                continue
            if key in MULTI_VALUED:
                q = (
                    self._term(key, values[0])
                    if len(values) == 1
                    else Query.term_set_query(self.schema, key, list(values))
                )
                out.append(Query.const_score_query(q, BOOST_SCORE))
            else:
                out.extend(Query.const_score_query(self._term(key, v), BOOST_SCORE) for v in dict.fromkeys(values))
        return out

    def parse_plain(self, query: str) -> ParsedQuery:
        """A query without understanding: each analysed word a term of its own."""
        return ParsedQuery(terms=tuple(QueryTerm(w) for w in self.analyzer.query_words(query)))

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
        if sort not in (SORT_RELEVANCE, *SORT_FIELDS):
            raise ValueError(f"未知的排序方式：{sort}")
        limit = max(limit, 0)  # 0: the count (and facets) alone, no hits
        parsed = self.parse_plain(query) if isinstance(query, str) else query
        words = list(parsed.terms)
        if words and not any(t.required for t in words) and not parsed.scored_only:  # nothing required: all of it is
            words = [QueryTerm(t.word, t.alternatives, weights=t.weights) for t in words]
        needed = [t for t in words if t.required]
        boosts = parsed.boosts
        searcher = self.index_.searcher()
        # Every word must match, as a word or (1–2 characters) as a substring; failing that, and unless the
        # caller narrowed by filters (then no result is an answer), longer words may match as substrings too
        # (all their bigrams in title or keywords); failing that, any word will do.
        attempts = [(False, False)]  # (any_word, long_grams)
        if not any(filters.values() if filters else ()):
            if any(len(word_grams(f)) > 1 for w in needed for f in w.forms):
                attempts.append((False, True))
            if len(needed) > 1:
                attempts.append((True, True))
        pending = None
        cache_key = self._facet_cache_key(visibility, filters) if facets and not words else None
        cached = self._facet_cache_get(cache_key)
        for i, (any_word, long_grams) in enumerate(attempts):
            matching = self.build_query(
                words, visibility, filters, any_word=any_word, long_grams=long_grams, match_only=True, searcher=searcher
            )
            # Sorted by a field, nothing needs a score: the unscored query finds the same documents, faster.
            ranked = sort == SORT_RELEVANCE and bool(words)
            q = matching
            if ranked:
                q = self.build_query(
                    words,
                    visibility,
                    filters,
                    any_word=any_word,
                    long_grams=long_grams,
                    searcher=searcher,
                    boosts=boosts,
                )
            # Facets of the first attempt run beside it; a fallback's are counted after, only if it finds any.
            first = facets and i == 0 and cached is None
            pending = self._pool.submit(self._facets, searcher, matching) if first else None
            found = self._run(searcher, q, sort, limit, offset)
            total = _count(found)
            if total or i == len(attempts) - 1:
                break
        mode = (MODE_ALL, MODE_GRAMS, MODE_ANY)[[(False, False), (False, True), (True, True)].index(attempts[i])]
        addresses = list(found.hits)[:limit]
        backfill_terms = parsed.backfill_terms or BACKFILL_TERMS
        backfill = len(needed) >= backfill_terms and sort == SORT_RELEVANCE and len(addresses) < limit
        if mode == MODE_ALL and total and backfill:
            # Few documents have every word of the query: after them, those missing just one, scored below the last
            # full match so that a re-ranking of the page keeps them after.
            most = self._most_query(words, needed, visibility, filters, boosts, searcher)
            more = searcher.search(most, limit=limit - len(addresses), count=True, offset=max(0, offset - total))
            floor = min((score for score, _ in addresses), default=0.0) or 1.0
            top = max((score for score, _ in more.hits), default=0.0)
            scale = min(1.0, 0.95 * floor / top) if top > 0 else 1.0
            addresses.extend((score * scale, address) for score, address in more.hits)
            total += _count(more)
        marks = parsed.marks
        hits = []
        for score, address in addresses:
            doc = searcher.doc(address)
            display = json.loads(bytes(doc.get_first("display") or b"{}").decode())
            hits.append(
                Hit(
                    id=str(doc.get_first("id")),
                    score=float(score) if score is not None else 0.0,
                    title_html=self.analyzer.snippet(display["t"], marks, width=200) if highlight else "",
                    snippet_html=self.analyzer.snippet(display["d"], marks) if highlight else "",
                    title=display["t"],
                    description=display["d"],
                    reason=match_reason(parsed, display),
                    group=str(display.get("g", "")),
                    type=str(display.get("y", "")),
                )
            )
        facet_counts: dict[str, dict[str, int]] = {}
        if cached is not None:
            facet_counts = cached if total else {}
        elif pending is not None:
            facet_counts = pending.result() if total else {}
        elif facets and total:
            facet_counts = self._facets(searcher, matching)
        if cache_key is not None and cached is None:
            self._facet_cache_put(cache_key, facet_counts)
        return SearchResult(hits=hits, total=total, facets=facet_counts, mode=mode if words else MODE_ALL)

    def _most_query(
        self,
        words: Sequence[QueryTerm],
        needed: Sequence[QueryTerm],
        visibility: Visibility,
        filters: dict[str, str | Sequence[str]] | None,
        boosts: Sequence[tuple[str, Sequence[str]]],
        searcher: tantivy.Searcher,
    ) -> Query:
        """Documents that match all but one of the required terms (and not all of them), ranked as usual."""
        matches = [self._term_match(t, long_grams=False) for t in needed]
        all_but_one = [
            Query.boolean_query([(Occur.Must, m) for j, m in enumerate(matches) if j != i]) for i in range(len(matches))
        ]
        clauses = self._filter_clauses(visibility, filters, searcher)
        clauses.append(
            (Occur.Must, Query.const_score_query(Query.boolean_query([(Occur.Should, q) for q in all_but_one]), 0.0))
        )
        clauses.append((Occur.MustNot, Query.boolean_query([(Occur.Must, m) for m in matches])))
        optional = [q for t in needed for q in self._term_scoring(t, long_grams=False, searcher=searcher)]
        return _optional_chain(Query.boolean_query(clauses), [*optional, *self._boost_clauses(boosts)])

    def facet_cache_clear(self) -> None:
        """Forget kept facet counts (benchmarks time the counting itself)."""
        self._facet_cache.clear()

    def _facet_cache_key(self, visibility: Visibility, filters: dict[str, str | Sequence[str]] | None) -> tuple:
        try:
            meta = (self.index_path / "meta.json").stat()
            state = (meta.st_mtime_ns, meta.st_size)
        except OSError:
            state = (0, 0)
        chosen = tuple(sorted((k, v if isinstance(v, str) else tuple(v)) for k, v in (filters or {}).items() if v))
        return (state, visibility, chosen)

    def _facet_cache_get(self, key: tuple | None) -> dict[str, dict[str, int]] | None:
        if key is None:
            return None
        entry = self._facet_cache.get(key)
        if entry is None or time.monotonic() - entry[0] > FACET_CACHE_SECONDS:
            return None
        return entry[1]

    def _facet_cache_put(self, key: tuple, counts: dict[str, dict[str, int]]) -> None:
        if len(self._facet_cache) >= FACET_CACHE_SIZE:
            self._facet_cache.clear()  # states move on with every commit: old keys are dead weight
        self._facet_cache[key] = (time.monotonic(), counts)

    def _run(self, searcher: tantivy.Searcher, q: Query, sort: str, limit: int, offset: int) -> tantivy.SearchResult:
        # tantivy panics on limit=0 (a Rust assertion, not an exception): a count-only call asks for one hit, which
        # search() drops; count=True counts every match whatever the limit.
        limit = max(limit, 1)
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


def match_reason(parsed: ParsedQuery, display: dict) -> str:
    """Why a document matched, for the terms its title does not show: "知识点「勾股定理」；关键词「PPT」"."""
    title = normalize(str(display.get("t", "")))
    places = (("知识点", display.get("p") or []), ("关键词", display.get("k") or []), ("章节", display.get("c") or []))
    out: list[str] = []
    for term in parsed.terms:
        forms = [normalize(f) for f in term.forms]
        if any(f in title for f in forms):
            continue
        for label, values in places:
            hit = next((v for v in values if any(f in normalize(str(v)) for f in forms)), None)
            if hit is not None:
                out.append(f"{label}「{hit}」")
                break
    return "；".join(dict.fromkeys(out))


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

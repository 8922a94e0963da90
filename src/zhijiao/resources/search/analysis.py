"""Text analysis for Chinese search: jieba words plus character unigrams and bigrams.

Both analyses run in Python and hand tantivy space-separated tokens (indexed with a whitespace
tokenizer), so the index and the queries always agree. The jieba dictionary is jieba's bundled one plus
the terms the caller loads (knowledge-point names and aliases, textbook labels, the search dictionary's
synonyms and variants); nothing is downloaded.

Every text is first normalised character by character (:func:`normalize`: common traditional characters to
simplified (牛頓 is 牛顿), NFKC where it maps one character to one, so ＰＰＴ is PPT, then lower case;
superscripts stay, and become carets in tokens: ax² and ax^2 are both the token ax^2, and x^2 is a token of it too),
so a formula keeps its exponents however it was typed.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

import jieba

# A Latin/digit run keeps dots (3.14) and carets (ax^2) inside it.
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_RUN = re.compile(
    r"[\u3400-\u9fff\uf900-\ufaff]+|√?[0-9a-zA-Z][0-9a-zA-Z" + _SUP + r"]*(?:[.^][0-9a-zA-Z" + _SUP + r"]+)*"
)
_TO_CARET = {ord(c): f"^{i}" for i, c in enumerate(_SUP)}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Words that carry no meaning alone; dropped from multi-word queries (a lone "与" still searches).
QUERY_STOPWORDS = frozenset(
    {
        "的", "与", "和", "及", "之", "了", "在", "是", "中", "一个", "关于",
        "a", "an", "the", "is", "are", "am", "this", "that", "these", "those", "your", "my", "of", "to", "in", "on",
        "and", "or", "for", "with", "it", "do", "does",
    }
)  # fmt: skip
# Longest dictionary word looked for inside a longer word (勾股定理 inside 勾股定理的逆定理).
MAX_SUBWORD = 8

jieba.setLogLevel(logging.WARNING)
# Analysed texts kept for reuse (chapter paths with their labels, knowledge-point names: a few thousand
# distinct texts shared by every resource of a chapter); cleared when full or when the dictionary grows.
CACHE_SIZE = 50_000


def _traditional() -> dict[str, str]:
    """繁 → 简 for the unambiguous common characters (``data/traditional.txt``)."""
    table: dict[str, str] = {}
    path = Path(__file__).resolve().parent / "data" / "traditional.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        for pair in line.split("#", 1)[0].split():
            if len(pair) % 2 == 0:
                half = len(pair) // 2
                table.update(zip(pair[:half], pair[half:], strict=True))
    return table


_T2S = _traditional()


def _char(c: str) -> str:
    if c in _SUP:  # kept: ax² is a power, x₂ (NFKC x2) is not
        return c
    c = _T2S.get(c, c)
    n = unicodedata.normalize("NFKC", c)
    return n.lower() if len(n) == 1 else c.lower() if len(c.lower()) == 1 else c


_SEEN: set[str] = set()  # characters looked at; those that change are in _TABLE
_TABLE: dict[int, str] = {}


def normalize(text: str) -> str:
    """``text`` with each character NFKC-normalised where that gives one character (full-width letters,
    superscript digits, compatibility ideographs) and lower-cased: the same length, so offsets still point
    into the original (highlighting relies on it)."""
    for c in set(text).difference(_SEEN):  # each character worked out once; then one str.translate
        n = _char(c)
        if n != c:
            _TABLE[ord(c)] = n
        _SEEN.add(c)
    return text.translate(_TABLE)


def _token(run: str) -> str:
    """A run as a token: lower case, superscripts as carets (ax² and ax^2 are both ax^2)."""
    return run.lower().translate(_TO_CARET).replace("^^", "^")


_LETTER_POWER = re.compile(r"[a-z]+\^")


def _power_parts(token: str) -> list[str]:
    """The powers inside a formula token, so x^2 finds ax^2+…: ax^2 → x^2."""
    if "^" not in token:
        return []
    return [token[m.start() + i :] for m in _LETTER_POWER.finditer(token) for i in range(1, m.end() - m.start() - 1)]


class Analyzer:
    """A jieba tokenizer of its own (so custom terms never leak between indexes) plus n-grams."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._jieba.initialize()
        self._cache: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}
        # Word edges of the short windows highlighting looks at (titles and descriptions repeat across hits).
        self._edges: dict[str, set[int]] = {}
        self.add_terms(terms)

    def add_terms(self, terms: Iterable[str]) -> None:
        with self._lock:
            for term in terms:
                term = normalize(term.strip())
                if term and not any(ch.isspace() for ch in term):
                    self._jieba.add_word(term, freq=200000)
            self._cache = {}
            self._edges = {}

    def known(self, word: str) -> bool:
        """True when ``word`` is in the segmentation dictionary (jieba's own or a loaded term)."""
        return bool(self._jieba.FREQ.get(normalize(word)))

    def cut(self, text: str) -> list[str]:
        """Precise-mode jieba words of the normalised ``text`` (everything, punctuation included)."""
        return list(self._jieba.cut(normalize(text)))

    def words(self, text: str) -> list[str]:
        """Index-side words: jieba search mode (long words also yield their 2–3 character dictionary sub-words)."""
        out: list[str] = []
        for run in _RUN.findall(normalize(text)):
            if _CJK.match(run):
                out.extend(_token(w) for w in self._jieba.cut_for_search(run))
            else:
                out.append(_token(run))
                out.extend(_power_parts(_token(run)))
        return out

    def subwords(self, text: str) -> list[str]:
        """Dictionary words of 4..MAX_SUBWORD characters inside longer jieba words (勾股定理 in 勾股定理的逆定理,
        期末考试 in 期末考试卷): they match, and score less than the word itself."""
        freq = self._jieba.FREQ
        out: list[str] = []
        for w in (w for run in _RUN.findall(normalize(text)) if _CJK.match(run) for w in self._jieba.cut(run)):
            n = len(w)
            if n > 4 and _CJK.match(w):
                for size in range(4, min(n - 1, MAX_SUBWORD) + 1):
                    out.extend(w[i : i + size] for i in range(n - size + 1) if freq.get(w[i : i + size]))
        return out

    def analyse(self, text: str, *, cache: bool = False) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """Index-side ``(words, ngrams, subwords)`` of ``text``; ``cache`` for texts many documents share."""
        if not cache:
            return tuple(self.words(text)), tuple(ngrams(text)), tuple(self.subwords(text))
        found = self._cache.get(text)
        if found is None:
            found = (tuple(self.words(text)), tuple(ngrams(text)), tuple(self.subwords(text)))
            if len(self._cache) >= CACHE_SIZE:
                self._cache = {}
            self._cache[text] = found
        return found

    def query_words(self, text: str) -> list[str]:
        """Query-side words: jieba precise mode, stop words dropped unless nothing else is left."""
        words = [
            _token(w)
            for part in normalize(text).split()
            for run in _RUN.findall(part)
            for w in (self._jieba.cut(run) if _CJK.match(run) else (run,))
        ]
        kept = [w for w in words if w not in QUERY_STOPWORDS]
        return list(dict.fromkeys(kept or words))

    def is_word_at(self, norm: str, start: int, end: int) -> bool:
        """Is ``norm[start:end]`` a word there (precise mode or a dictionary sub-word)? Decided on a few characters
        around it, which is how jieba would cut it in the whole text, near enough, at a fraction of the cost."""
        lo = max(0, start - 4)
        window = norm[lo : end + 4]
        edges = self._edges.get(window)
        if edges is None:
            edges = {0, len(window)}
            for _, s, e in self._jieba.tokenize(window, mode="search"):
                edges.update((s, e))
            if len(self._edges) >= CACHE_SIZE:
                self._edges = {}
            self._edges[window] = edges
        return start - lo in edges and end - lo in edges

    def highlight(self, text: str, terms: Iterable[str]) -> str:
        """:func:`highlight` that marks a two-character term only where it is a word of ``text`` (定理 not inside
        逆定理), unless it is nowhere a word there (then everywhere, so the reason for the match still shows)."""
        return highlight(text, terms, word_at=self.is_word_at)

    def snippet(self, text: str, terms: Iterable[str], width: int = 80) -> str:
        return snippet(text, terms, width, analyzer=self)


def ngrams(text: str) -> list[str]:
    """Character unigrams and bigrams of each CJK run; Latin/digit runs as whole lower-cased tokens."""
    out: list[str] = []
    for run in _RUN.findall(normalize(text)):
        if _CJK.match(run):
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(_token(run))
    return out


def word_grams(word: str) -> list[str]:
    """The n-gram tokens a query word must all match in the n-gram field (its bigrams, or itself)."""
    if not _CJK.match(word) or len(word) <= 2:
        return [word.lower()]
    return [word[i : i + 2] for i in range(len(word) - 1)]


def gram_covers_word(word: str) -> bool:
    """True for a Chinese word of 1–2 characters: its one n-gram token is in every text it is a word of."""
    return len(word) <= 2 and bool(_CJK.fullmatch(word))


def _term_pattern(term: str) -> str:
    # A Latin term's power matches written with a caret or as a superscript (ax^2 marks ax^2 and ax²).
    if _CJK.search(term) or "^" not in term:
        return re.escape(term)
    return re.sub(r"\\\^(\d)", lambda m: f"(?:\\^{m.group(1)}|{_SUP[int(m.group(1))]})", re.escape(term))


@functools.lru_cache(maxsize=256)
def _mark_patterns(terms: tuple[str, ...]) -> list[tuple[str, re.Pattern[str]]]:
    """The normalised terms, longest first, each with its compiled pattern (a query's marks, for all its hits)."""
    ordered = sorted({normalize(t) for t in terms if t and t.strip()}, key=len, reverse=True)
    return [(term, re.compile(_term_pattern(term))) for term in ordered]


def mark_spans(
    text: str, terms: Iterable[str], word_at: Callable[[str, int, int], bool] | None = None
) -> list[tuple[int, int]]:
    """Merged ``(start, end)`` spans of ``terms`` in ``text`` (normalised on both sides), longest term first;
    adjacent spans join so a phrase is one mark. With ``word_at``, a two-character term counts only where it is a
    word, unless it never is."""
    norm = normalize(text)
    taken = [False] * len(norm)
    spans: list[tuple[int, int]] = []
    for term, pattern in _mark_patterns(tuple(terms)):
        if term not in norm and "^" not in term:  # the pattern of any other term matches only the term itself
            continue
        found = [(m.start(), m.end()) for m in pattern.finditer(norm)]
        if word_at is not None and len(term) == 2 and _CJK.match(term):
            aligned = [(s, e) for s, e in found if not any(taken[s:e]) and word_at(norm, s, e)]
            found = aligned or found
        for s, e in found:
            if not any(taken[s:e]):
                taken[s:e] = [True] * (e - s)
                spans.append((s, e))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, terms: Iterable[str], *, word_at: Callable[[str, int, int], bool] | None = None) -> str:
    """HTML-escape ``text`` and wrap the occurrences of the terms in ``<mark>`` (see :func:`mark_spans`)."""
    if not text:
        return ""
    parts: list[str] = []
    last = 0
    for s, e in mark_spans(text, terms, word_at):
        parts.append(html.escape(text[last:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        last = e
    parts.append(html.escape(text[last:]))
    return "".join(parts)


def snippet(text: str, terms: Iterable[str], width: int = 80, *, analyzer: Analyzer | None = None) -> str:
    """A window of ``width`` characters around the first matched term, highlighted."""
    terms = [t for t in terms if t]
    mark = analyzer.highlight if analyzer is not None else highlight
    if len(text) <= width:
        return mark(text, terms)
    spans = mark_spans(text, terms)
    start = max(0, spans[0][0] - width // 4) if spans else 0
    window = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return prefix + mark(window, terms) + suffix

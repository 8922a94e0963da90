"""Text analysis for Chinese search: jieba words plus character unigrams and bigrams.

Both analyses run in Python and hand tantivy space-separated tokens (indexed with a whitespace
tokenizer), so the index and the queries always agree. The jieba dictionary is jieba's bundled one plus
the terms the caller loads (knowledge-point names and aliases, textbook labels); nothing is downloaded.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Iterable

import jieba

_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[0-9a-zA-Z]+(?:\.[0-9a-zA-Z]+)*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Words that carry no meaning alone; dropped from multi-word queries (a lone "与" still searches).
QUERY_STOPWORDS = frozenset({"的", "与", "和", "及", "之", "了", "在", "是", "中", "一个", "关于"})

jieba.setLogLevel(logging.WARNING)
# Analysed texts kept for reuse (chapter paths with their labels, knowledge-point names: a few thousand
# distinct texts shared by every resource of a chapter); cleared when full or when the dictionary grows.
CACHE_SIZE = 50_000


class Analyzer:
    """A jieba tokenizer of its own (so custom terms never leak between indexes) plus n-grams."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._jieba.initialize()
        self._cache: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.add_terms(terms)

    def add_terms(self, terms: Iterable[str]) -> None:
        with self._lock:
            for term in terms:
                term = term.strip()
                if term and not any(ch.isspace() for ch in term):
                    self._jieba.add_word(term, freq=200000)
            self._cache = {}

    def words(self, text: str) -> list[str]:
        """Index-side words: jieba search mode (long words also yield their dictionary sub-words)."""
        return [w.lower() for w in self._jieba.cut_for_search(text) if _RUN.fullmatch(w)]

    def analyse(self, text: str, *, cache: bool = False) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Index-side ``(words, ngrams)`` of ``text``; ``cache`` for texts many documents share."""
        if not cache:
            return tuple(self.words(text)), tuple(ngrams(text))
        found = self._cache.get(text)
        if found is None:
            found = (tuple(self.words(text)), tuple(ngrams(text)))
            if len(self._cache) >= CACHE_SIZE:
                self._cache = {}
            self._cache[text] = found
        return found

    def query_words(self, text: str) -> list[str]:
        """Query-side words: jieba precise mode, stop words dropped unless nothing else is left."""
        words = [w.lower() for part in text.split() for w in self._jieba.cut(part) if _RUN.fullmatch(w)]
        kept = [w for w in words if w not in QUERY_STOPWORDS]
        return list(dict.fromkeys(kept or words))


def ngrams(text: str) -> list[str]:
    """Character unigrams and bigrams of each CJK run; Latin/digit runs as whole lower-cased tokens."""
    out: list[str] = []
    for run in _RUN.findall(text):
        if _CJK.match(run):
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run.lower())
    return out


def word_grams(word: str) -> list[str]:
    """The n-gram tokens a query word must all match in the n-gram field (its bigrams, or itself)."""
    if not _CJK.match(word) or len(word) <= 2:
        return [word.lower()]
    return [word[i : i + 2] for i in range(len(word) - 1)]


def gram_covers_word(word: str) -> bool:
    """True for a Chinese word of 1–2 characters: its one n-gram token is in every text it is a word of."""
    return len(word) <= 2 and bool(_CJK.fullmatch(word))


def highlight(text: str, terms: Iterable[str]) -> str:
    """HTML-escape ``text`` and wrap every occurrence of any term in ``<mark>``."""
    ordered = sorted({t for t in terms if t}, key=len, reverse=True)
    if not text or not ordered:
        return html.escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)
    parts: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        parts.append(html.escape(text[last : m.start()]))
        parts.append(f"<mark>{html.escape(m.group(0))}</mark>")
        last = m.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)


def snippet(text: str, terms: Iterable[str], width: int = 80) -> str:
    """A window of ``width`` characters around the first matched term, highlighted."""
    terms = [t for t in terms if t]
    if len(text) <= width:
        return highlight(text, terms)
    lowered = text.lower()
    positions = [p for p in (lowered.find(t.lower()) for t in terms) if p >= 0]
    start = max(0, min(positions) - width // 4) if positions else 0
    window = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return prefix + highlight(window, terms) + suffix

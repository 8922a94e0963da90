"""Query understanding: what a teacher's query means, before any engine sees it (decision 0036).

:func:`understand` turns the typed text into a :class:`~.backend.ParsedQuery` and a record a page or the API can
show (``explain``):

- **variants and synonyms** from the search dictionary (:class:`Lexicon`, editable by a bureau): 图像/图象,
  课件/PPT, 教案/教学设计 … — each query word matches through any form of its group;
- **grade shorthand** (七上, 八下, 初一上, 高一, 必修一 …) → 年级/册 boosts (filters when nothing else is asked);
- **typos** against knowledge-point and chapter names (one character wrong, missing or extra: 勾股定里 →
  勾股定理) → a correction that :func:`search` prefers to relaxing the query to "any word";
- **knowledge points and chapters** named in the query.

:func:`search` runs it against any :class:`~.backend.SearchBackend` and then diversifies the first page. Nothing
here knows the engine; a province's OpenSearch backend gets the same parsed query.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pypinyin import lazy_pinyin

from .analysis import Analyzer, normalize
from .backend import MODE_ALL, SORT_RELEVANCE, Hit, ParsedQuery, QueryTerm, SearchBackend, SearchResult

KIND_SYNONYM = "synonym"  # 同义词
KIND_VARIANT = "variant"  # 异体字 / 异形词
KIND_POPULAR = "popular"  # 热门检索词

_FORMULA = re.compile(r"[^\w\u3400-\u9fff]")  # a form with spaces or operators: found in the text, not by jieba
_FORMULA_OPS = re.compile(r"[=+\-−×÷/()（）≥≤<>^²³√]")  # a form that is a formula (not an English phrase)
_CJK_ONLY = re.compile(r"[\u3400-\u9fff]+")
MAX_NAME = 12  # longest name looked for when a query is read from the left
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "1": 1, "2": 2, "3": 3}
_CN_NUM = "零一二三四五六七八九"
_PRIMARY = {n: f"{_CN_NUM[n]}年级" for n in range(1, 10)}
_HIGH = {1: "高一", 2: "高二", 3: "高三"}
_VOL = {"上": "上册", "下": "下册"}
_B = r"(?:^|(?<=[\s版\d]))"  # shorthand starts the query, a word, or follows an edition (人教版八下)
SHORTHAND = [
    # 七上 / 八下册 / 七年级上 / 七年级上册 / 初一上 / 初二 / 高一下 / 高二
    re.compile(_B + r"(?P<g>[一二三四五六七八九])(?:年级)?(?P<v>[上下])册?"),
    re.compile(_B + r"(?P<g>[一二三四五六七八九])年级"),
    re.compile(_B + r"初(?P<j>[一二三123])(?:年级)?(?P<v>[上下])?册?"),
    re.compile(_B + r"高(?P<h>[一二三123])(?:年级)?(?P<v>[上下])?册?"),
    # 必修一 / 必修1 / 必修第一册 / 选择性必修二 / 选修一
    re.compile(_B + r"(?P<sel>选择性必修|必修|选修)第?(?P<n>[一二三四五123456])册?"),
    re.compile(_B + r"(?P<v>上册|下册)"),
]


# Words that state a constraint rather than a topic: they rank what satisfies it first (a boost on the label) and
# match in the text where they are found, but need not match (勾股定理 课件 still shows the 勾股定理 微课, lower).
# Values are the index's labels (resources.models.ResourceType, the code tables' names).
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "课件": ("课件",), "ppt": ("课件",), "pptx": ("课件",), "演示文稿": ("课件",), "幻灯片": ("课件",),
    "微课": ("微课",), "微视频": ("微课",), "视频": ("微课", "视频素材"), "录像": ("视频素材",),
    "教案": ("教案",), "教学设计": ("教案",), "教学方案": ("教案",), "说课稿": ("教案",),
    "学案": ("学案",), "导学案": ("学案",), "预习案": ("学案",),
    "试卷": ("试卷",), "测试卷": ("试卷",), "考试卷": ("试卷",), "试题卷": ("试卷",), "测验卷": ("试卷",),
    "卷": ("试卷",),
    "试题": ("试题",), "习题": ("试题",), "练习题": ("试题",), "练习": ("试题",), "作业": ("试题",), "题": ("试题",),
    "图片": ("图片素材",), "图": ("图片素材",), "动画": ("动画素材",), "音频": ("音频素材",), "录音": ("音频素材",),
    "素材": ("文本素材", "图片素材", "音频素材", "视频素材", "动画素材"), "案例": ("案例",), "课例": ("案例",),
    "课堂实录": ("案例",), "文献": ("文献资料",), "网课": ("网络课程",), "网络课程": ("网络课程",),
}  # fmt: skip
SUBJECTS = frozenset(
    {
        "语文", "数学", "英语", "物理", "化学", "生物", "生物学", "历史", "地理", "政治", "思想政治", "道德与法治",
        "科学", "音乐", "美术", "体育", "信息技术", "通用技术",
    }
)  # fmt: skip
STAGES = frozenset({"小学", "初中", "高中"})
_EDITION = re.compile(r"^[\u4e00-\u9fffa-z]{1,4}版$")


def constraint_of(word: str) -> tuple[str, tuple[str, ...]] | None:
    """``(facet, labels)`` when ``word`` names a type, subject, stage or edition, else None."""
    if word in TYPE_WORDS:
        return "type", TYPE_WORDS[word]
    if word in SUBJECTS:
        return "subject", ("生物学", "生物") if word.startswith("生物") else (word,)
    if word in STAGES:
        return "stage", (word,)
    if _EDITION.match(word):
        return "edition", (word,)
    return None


def split_forms(text: str) -> list[str]:
    """The forms of a dictionary entry: separated by "|" or "、" when it has them (a form may then hold spaces or
    operators: 勾股定理|Pythagorean theorem|a²+b²=c²), else by spaces."""
    parts = re.split(r"[|、]", text) if re.search(r"[|、]", text) else text.split()
    return [" ".join(p.split()) for p in parts if p.strip()]


def _pinyin(text: str) -> list[str]:
    return lazy_pinyin(text, errors="default")


_JUNIOR = {"七年级": "初一", "八年级": "初二", "九年级": "初三"}


def grade_labels(grade: str) -> tuple[str, ...]:
    """The labels a grade has in an index: 八年级 and the code table's 初二."""
    return (grade, _JUNIOR[grade]) if grade in _JUNIOR else (grade,)


def volume_labels(grade: str, volume: tuple[str, ...]) -> tuple[str, ...]:
    """The labels a 册 has in an index: 下册, and with the grade the textbook's own name 八年级下册."""
    if grade and volume in (("上册",), ("下册",)) and grade.endswith("年级"):
        return (*volume, f"{grade}{volume[0]}")
    return volume


def _volume_forms(kind: str, n: int) -> tuple[str, ...]:
    cn = _CN_NUM[n]
    return (f"{kind}第{cn}册", f"{kind}{n}", f"{kind}{cn}")


@dataclass
class Lexicon:
    """The search dictionary: groups of equivalent words (first = the main form), names the query may mean
    (knowledge points, chapters) and popular queries. Built from the database (``resources.models.SearchTerm``
    and the curriculum) or, for benchmarks, from the seed file."""

    groups: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (kind, forms)
    vocabulary: dict[str, str] = field(default_factory=dict)  # name → 知识点 / 章节
    popular: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._forms: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._phrases: list[str] = []  # forms of several words (pythagorean theorem), longest first
        for kind, forms in self.groups:
            normal = tuple(dict.fromkeys(normalize(f.strip()) for f in forms if f.strip()))
            # Groups sharing a form are one group (二次函数|抛物线 and 二次函数|quadratic function): every form of
            # either gets the union, the first group's kind and main form first.
            known = [self._forms[f] for f in normal if f in self._forms]
            merged = tuple(dict.fromkeys([*(g for k in known for g in k[1]), *normal]))
            entry = (known[0][0] if known else kind, merged)
            for f in merged:
                self._forms[f] = entry
        self._phrases = sorted((f for f in self._forms if _FORMULA.search(f)), key=len, reverse=True)
        self._vocab = {normalize(k): k for k in self.vocabulary if len(k) >= 2}
        self._names = {k for k in (*self._vocab, *self._forms) if len(k) >= 3 and _CJK_ONLY.fullmatch(k)}
        self._by_char: dict[str, set[str]] = {}
        for key in self._vocab:
            if len(key) >= 3:
                for ch in set(key):
                    self._by_char.setdefault(ch, set()).add(key)

    def forms(self, word: str) -> tuple[str, tuple[str, ...]] | None:
        """``(kind, forms)`` of the group ``word`` belongs to, or None."""
        return self._forms.get(normalize(word))

    def terms(self) -> list[str]:
        """Words the segmenter must keep whole: every form and every name (not those of several words)."""
        return [f for f in (*self._forms, *self._vocab) if " " not in f]

    def phrases_in(self, text: str) -> list[str]:
        """Forms of several words inside the normalised ``text`` (as whole words), longest first."""
        return [p for p in self._phrases if p in text and re.search(rf"(?<![a-z0-9]){re.escape(p)}(?![a-z0-9])", text)]

    def formula_group(self, text: str) -> tuple[str, tuple[str, ...]] | None:
        """The group of the shortest dictionary formula that holds ``text`` written partly (y=ax² in y=ax²+bx+c,
        (a+b)(a-b) in (a+b)(a-b)=a²-b²), compared without spaces; None when none does."""
        compact = "".join(normalize(text).split())
        if len(compact) < 3:
            return None
        found = [f for f in self._phrases if compact in "".join(f.split()) and _FORMULA_OPS.search(f)]
        return self._forms[min(found, key=len)] if found else None

    def segment(self, text: str) -> str:
        """``text`` with spaces around the names it holds, each Chinese run read from the left, the longest name
        first (指数函数的图象 → 指数函数 的图象, not 指数 函数的图象): a name that starts first is what the teacher
        typed first; what is left is segmented as usual."""
        out: list[str] = []
        for part in normalize(text).split():
            pieces: list[str] = []
            i, plain = 0, ""
            while i < len(part):
                name = ""
                if _CJK_RUN.match(part[i]):
                    for size in range(min(MAX_NAME, len(part) - i), 2, -1):
                        if part[i : i + size] in self._names:
                            name = part[i : i + size]
                            break
                if name:
                    pieces.extend([plain, name] if plain else [name])
                    plain, i = "", i + len(name)
                else:
                    plain, i = plain + part[i], i + 1
            if plain:
                pieces.append(plain)
            out.append(" ".join(pieces))
        return " ".join(out)

    def kind_of(self, name: str) -> str:
        return self.vocabulary.get(self._vocab.get(normalize(name), name), "")

    def is_known(self, text: str) -> bool:
        return normalize(text) in self._vocab or normalize(text) in self._forms

    def names_in(self, text: str) -> list[str]:
        """Knowledge-point and chapter names inside ``text``, longest first, not overlapping."""
        norm = normalize(text)
        found: list[tuple[int, int, str]] = []
        for key in sorted((k for k in self._vocab if k in norm), key=len, reverse=True):
            start = norm.find(key)
            while start >= 0:
                end = start + len(key)
                if not any(s < end and start < e for s, e, _ in found):
                    found.append((start, end, self._vocab[key]))
                    break
                start = norm.find(key, start + 1)
        return [name for _, _, name in sorted(found)]

    def correct(self, run: str) -> tuple[str, str] | None:
        """``(wrong span, name)`` when a piece of ``run`` (a Chinese run of the query) is one edit away from a
        name of 3+ characters that the run does not already contain, preferring longer names."""
        norm = normalize(run)
        if len(norm) < 3 or norm in self._vocab:
            return None
        counts: Counter[str] = Counter()
        for ch in set(norm):
            counts.update(self._by_char.get(ch, ()))
        covered = [False] * len(norm)  # characters inside a name the run spells right (二次函数 of 二次函数图像)
        for key in self._vocab:
            if len(key) >= 2:
                start = norm.find(key)
                while start >= 0:
                    covered[start : start + len(key)] = [True] * len(key)
                    start = norm.find(key, start + 1)
        best: tuple[tuple[int, bool, float, int], str, str] | None = None
        for key, shared in counts.items():
            n = len(key)
            if shared < len(set(key)) - 1 or key in norm:
                continue
            limit = 1 if n < 7 else 2
            for size in (n, n + 1, n - 1):
                for i in range(0, len(norm) - size + 1):
                    span = norm[i : i + size]
                    if size < 3 or all(covered[i : i + size]) or (span[0] != key[0] and span[-1] != key[-1]):
                        continue
                    distance = _distance(span, key, limit)
                    if distance <= limit:
                        # Longer names first, then a same-length span (characters wrong), then fewer edits.
                        rank = (n, size == n, -distance, size)
                        if best is None or rank > best[0]:
                            best = (rank, span, key)
        return (best[1], self._vocab[best[2]]) if best else None

    def suggest(self, prefix: str, limit: int = 10) -> list[dict[str, str]]:
        """Search-as-you-type: names starting with, then containing, ``prefix``; popular queries; a correction."""
        p = normalize(prefix.strip())
        if not p:
            return [{"text": q, "kind": "热门"} for q in self.popular[:limit]]
        out: dict[str, str] = {}
        starts = sorted((k for k in self._vocab if k.startswith(p)), key=lambda k: (len(k), k))
        inside = sorted((k for k in self._vocab if p in k and not k.startswith(p)), key=lambda k: (len(k), k))
        for key in [*starts, *inside]:
            out.setdefault(self._vocab[key], self.vocabulary[self._vocab[key]])
        for q in self.popular:
            if p in normalize(q):
                out.setdefault(q, "热门")
        if not out:
            fixed = self.correct(p)
            if fixed:
                out[normalize(prefix).replace(fixed[0], fixed[1])] = "纠错"
        return [{"text": t, "kind": k} for t, k in list(out.items())[:limit]]


def _distance(a: str, b: str, limit: int) -> float:
    """Edit distance, where a character replaced by one that sounds the same (理/里, 骨/股) counts half."""
    if len(a) != len(b):
        return _edit_distance(a, b, limit)
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) > 2 * limit:
        return limit + 1
    pa, pb = _pinyin(a), _pinyin(b)
    if len(pa) != len(a) or len(pb) != len(b):
        return float(len(diff))
    return sum(0.5 if pa[i] == pb[i] else 1.0 for i in diff)


def _edit_distance(a: str, b: str, limit: int) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _split_compound(word: str, lexicon: Lexicon) -> list[str]:
    """A word the dictionary does not know, made of one it knows and a rest (期末试卷 → 期末 试卷, 单元测试卷 →
    单元测试 卷), split there, so the known part brings its synonyms and the rest is matched on its own."""
    if len(word) < 3 or lexicon.forms(word) or lexicon.is_known(word) or not _CJK_RUN.fullmatch(word):
        return [word]
    for size in range(len(word) - 1, 1, -1):
        head, tail = word[:size], word[size:]
        if lexicon.forms(head):
            return [head, tail]
        head, tail = word[: len(word) - size], word[len(word) - size :]
        if lexicon.forms(tail):
            return [head, tail]
    return [word]


_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def parse_seed(lines: Iterable[str]) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
    """The seed file: ``同义词|异体字|热门<TAB or space>form form …`` per line, ``#`` comments."""
    kinds = {"同义词": KIND_SYNONYM, "异体字": KIND_VARIANT, "热门": KIND_POPULAR}
    groups: list[tuple[str, tuple[str, ...]]] = []
    popular: list[str] = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        label, _, rest = line.partition(" ") if "\t" not in line else line.partition("\t")
        forms = tuple(split_forms(rest))
        kind = kinds.get(label.strip())
        if kind == KIND_POPULAR:
            popular.extend(forms)
        elif kind and len(forms) >= 2:
            groups.append((kind, forms))
    return groups, popular


@dataclass
class Understanding:
    """What the query was taken to mean; ``explain()`` is what ``&explain=1`` shows."""

    text: str
    parsed: ParsedQuery
    words: list[str] = field(default_factory=list)
    grade: str = ""
    volume: tuple[str, ...] = ()
    stage: str = ""
    shorthand: list[str] = field(default_factory=list)  # the pieces read as 年级/册
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, 知识点/章节)
    correction: tuple[str, str] | None = None  # (typed, meant)
    corrected_text: str = ""
    # Per term, its forms as the dictionary writes them (a²+b²=c², Pythagorean theorem), for the explain view: the
    # engine's query words (a^2 b^2 c^2) are not for teachers' eyes.
    shown: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def filters(self) -> dict[str, str | tuple[str, ...]]:
        """年级/册 as filters (any of their labels), for a query that is nothing but shorthand (八下)."""
        out: dict[str, str | tuple[str, ...]] = {}
        if self.grade:
            out["grade"] = grade_labels(self.grade)
        if self.volume:
            out["volume"] = volume_labels(self.grade, self.volume)
        return out

    def explain(self) -> dict[str, Any]:
        return {
            "query": self.text,
            "words": self.words,
            "terms": [
                {
                    "word": self.shown[t.word][0] if self.shown.get(t.word) else t.word,
                    "variants": list(self.shown[t.word][1:] if self.shown.get(t.word) else t.forms[1:]),
                    "required": t.required,
                }
                for t in self.parsed.terms
            ],
            "grade": self.grade,
            "volume": list(self.volume),
            "stage": self.stage,
            "shorthand": self.shorthand,
            "knowledge_points": [n for n, k in self.names if k == "知识点"],
            "chapters": [n for n, k in self.names if k == "章节"],
            "boosts": {k: list(v) for k, v in self.parsed.boosts},
            "correction": {"typed": self.correction[0], "meant": self.correction[1]} if self.correction else None,
        }


# What a form found counts, as a share of the word typed (the engine's default for an alternative is 0.7):
# an English name for a Chinese word or the reverse (Pythagorean theorem for 勾股定理): the resource in the teacher's
# own language first; another formula of the group (a typed formula and its name count alike; a formula written
# partly leads, its name after).
ALTERNATIVE_WEIGHT = 0.7
OTHER_LANGUAGE_WEIGHT = 0.35
FORMULA_WEIGHT = 0.5
_OPERATOR = re.compile(r"[=+\-−×÷/()（）≥≤<>^²³√]")
_FORMULA_RUN = re.compile(r"[^\s\u3400-\u9fff]{3,}")
_LATIN_WORDS = re.compile(r"[a-z][a-z' \-]*")


def _language(form: str) -> str:
    """zh (Chinese characters), en (English words) or formula (anything with digits or operators)."""
    if _CJK_RUN.search(form):
        return "zh"
    return "en" if _LATIN_WORDS.fullmatch(form) else "formula"


def _term(typed: str, forms: Iterable[str], as_query: Any, *, required: bool = True, partial: str = "") -> QueryTerm:
    """A query term for ``typed`` and the other forms of its dictionary group, each weighted (see above).
    ``partial``: the query words of a formula written partly, which lead (weight 1, every letter kept) before the
    group's name."""
    typed_lang = _language(normalize(typed))
    names = [f for f in forms if _language(normalize(f)) == "zh"]
    name = names[0] if typed_lang == "formula" and names else ""
    weighted: dict[str, float] = {partial: 1.0} if partial else {}
    for raw in (typed, *forms):
        form = as_query(raw)
        if not form or form in weighted:
            continue
        lang = _language(normalize(raw))
        if raw == typed:
            weight = 1.0
        elif raw == name:
            weight = ALTERNATIVE_WEIGHT if partial else 1.0
        elif lang == "formula":
            weight = FORMULA_WEIGHT
        elif lang != typed_lang:  # English for Chinese or the reverse (a formula's Chinese names: the alternative's)
            weight = OTHER_LANGUAGE_WEIGHT if typed_lang != "formula" or lang == "en" else ALTERNATIVE_WEIGHT
        else:
            weight = ALTERNATIVE_WEIGHT
        weighted[form] = weight
    if not weighted:  # nothing but lone letters
        return QueryTerm(typed, required=required)
    ordered = list(weighted.items())
    return QueryTerm(
        ordered[0][0], tuple(f for f, _ in ordered[1:]), required=required, weights=tuple(w for _, w in ordered)
    )


def understand(text: str, lexicon: Lexicon, analyzer: Analyzer) -> Understanding:
    norm = normalize(text).strip()
    grade = stage = ""
    volume: tuple[str, ...] = ()
    pieces: list[str] = []
    rest = norm
    for pattern in SHORTHAND:
        for m in list(pattern.finditer(rest)):
            g = m.groupdict()
            if g.get("g"):
                n = _CN_DIGIT[g["g"]]
                grade, stage = _PRIMARY[n], "小学" if n <= 6 else "初中"
            if g.get("j"):
                grade, stage = _PRIMARY[_CN_DIGIT[g["j"]] + 6], "初中"
            if g.get("h"):
                grade, stage = _HIGH[_CN_DIGIT[g["h"]]], "高中"
            if g.get("v"):
                volume = (_VOL.get(g["v"][0], g["v"]),)
            if g.get("sel"):
                stage = "高中"
                volume = _volume_forms(g["sel"], _CN_DIGIT[g["n"]])
            pieces.append(m.group(0))
        rest = pattern.sub(" ", rest)

    def as_query(form: str) -> str:
        # A form of several words or with operators (a²+b²=c²) is matched as its words, all of them; a formula of
        # nothing but lone letters ((a+b)(a-b): a and b are in every other text) says nothing and is left out.
        if not _FORMULA.search(form):
            return form
        words = analyzer.query_words(form)
        if _OPERATOR.search(form) and all(len(w) == 1 for w in words):
            return ""
        return " ".join(words)

    terms: list[QueryTerm] = []
    shown: dict[str, tuple[str, ...]] = {}

    def keep(term: QueryTerm, typed: str, forms: Iterable[str]) -> QueryTerm:
        written = [typed, *(f for f in forms if normalize(f) != normalize(typed) and as_query(f))]
        shown[term.word] = tuple(dict.fromkeys(written))
        return term

    for phrase in lexicon.phrases_in(rest):
        group = lexicon.forms(phrase)
        forms = group[1] if group else (phrase,)
        terms.append(keep(_term(phrase, forms, as_query), phrase, forms))
        rest = re.sub(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", " ", rest)
    for run in _FORMULA_RUN.findall(rest):
        # A formula written partly (y=ax² of y=ax²+bx+c, (a+b)(a-b) without its right side) means what the
        # dictionary's formula holding it means.
        group = lexicon.formula_group(run) if _OPERATOR.search(run) else None
        if group is not None:
            # Written partly, the formula is more precise than its topic: what shows it first, then the topic.
            partial = " ".join(analyzer.query_words(run))
            terms.append(keep(_term(run, group[1], as_query, partial=partial), run, group[1]))
            rest = rest.replace(run, " ", 1)
    words = [t.word for t in terms]
    words.extend(w for part in analyzer.query_words(lexicon.segment(rest)) for w in _split_compound(part, lexicon))
    boosts: list[tuple[str, tuple[str, ...]]] = []
    for w in words[len(terms) :]:
        group = lexicon.forms(w)
        forms = (w, *(f for f in group[1] if f != w)) if group else (w,)
        constraint = next((c for c in map(constraint_of, forms) if c), None)
        if constraint is not None:
            boosts.append(constraint)
        terms.append(keep(_term(w, forms, as_query, required=constraint is None), w, forms))
    # Two whole words (指数函数 + 图象) with few documents holding both: those with one of them follow.
    apart = set(norm.split())
    whole = all(lexicon.is_known(t.word) or t.word in apart for t in terms if t.required)
    if grade:
        boosts.append(("grade", grade_labels(grade)))
    if volume:
        boosts.append(("volume", volume_labels(grade, volume)))
    correction = None
    corrected = ""
    for run in re.findall(r"[\u3400-\u9fff]{3,}", rest):
        if lexicon.is_known(run) or (lexicon.names_in(run) and len(lexicon.names_in(run)[0]) >= len(run) - 1):
            continue
        fixed = lexicon.correct(run)
        if fixed:
            correction = fixed
            corrected = norm.replace(fixed[0], fixed[1], 1)
            break
    names = [(n, lexicon.kind_of(n)) for n in lexicon.names_in(rest)]
    return Understanding(
        shown=shown,
        text=text,
        parsed=ParsedQuery(terms=tuple(terms), boosts=tuple(boosts), backfill_terms=2 if whole else 0),
        words=words,
        grade=grade,
        volume=volume,
        stage=stage,
        shorthand=pieces,
        names=names,
        correction=correction,
        corrected_text=corrected,
    )


# ---- the whole search: understanding, the engine, a diverse first page ---------------------------------------------

# The first page is picked from this many engine hits (per page size), so near-duplicates give way.
POOL_FACTOR = 3
# Per earlier hit of the same chapter/knowledge point, and of the same title, a hit loses this share of the top score.
SAME_GROUP_PENALTY = 0.06
SAME_TITLE_PENALTY = 0.12
_TAGS = re.compile(r"<[^>]+>")
_TITLE_NOISE = re.compile(r"[\W\d_a-z]+|微课|课件|教案|教学设计|学案|导学案|试卷|测试卷|练习|视频|动画|第.课时")


@dataclass
class Answer:
    result: SearchResult
    understanding: Understanding
    query_used: str  # the text the hits are for (the correction, when it was preferred)
    corrected: bool = False  # the hits are for the correction; offer the original
    did_you_mean: str = ""  # a correction offered but not used
    broader: list[str] = field(default_factory=list)  # zero results: queries with fewer words
    shorthand_filters: dict[str, str | tuple[str, ...]] = field(default_factory=dict)

    def explain(self) -> dict[str, Any]:
        out = self.understanding.explain()
        out.update(
            query_used=self.query_used,
            corrected=self.corrected,
            did_you_mean=self.did_you_mean,
            match_mode=self.result.mode,
            filters_from_query={k: v if isinstance(v, str) else list(v) for k, v in self.shorthand_filters.items()},
            broader=self.broader,
        )
        return out


def _stem(hit: Hit) -> str:
    return _TITLE_NOISE.sub("", (hit.title or html.unescape(_TAGS.sub("", hit.title_html))).lower())


def diversify(hits: Sequence[Hit], upto: int | None = None) -> list[Hit]:
    """Greedy re-ranking: each hit's score, as a share of the top one, less a penalty per earlier pick of its
    chapter/knowledge point and of its title (the same lesson in five media types). ``upto``: only the first so many
    places are needed (the page); the hits after them follow in their order."""
    if len(hits) < 3:
        return list(hits)
    top = max(h.score for h in hits) or 1.0
    groups: Counter[str] = Counter()
    stems: Counter[str] = Counter()
    stem = {id(h): _stem(h) for h in hits}
    left = list(hits)
    out: list[Hit] = []
    while left and (upto is None or len(out) < upto):
        best = max(
            left,
            key=lambda h: (
                h.score / top
                - SAME_GROUP_PENALTY * (groups[h.group] if h.group else 0)
                - SAME_TITLE_PENALTY * stems[stem[id(h)]]
            ),
        )
        left.remove(best)
        out.append(best)
        groups[best.group] += 1
        stems[stem[id(best)]] += 1
    return out + left


def constraint_filters(parsed: ParsedQuery, chosen: dict[str, str | Sequence[str]]) -> dict[str, str | tuple[str, ...]]:
    """The filters a query of nothing but words that state constraints means (七年级 数学 教案, 课件, 人教版 八下):
    the labels it names, for the facets the caller has not chosen; empty when any word is a topic.

    Such a query matched its words as text (every 数学 resource has 数学 in its labels' text) and ranked by the labels
    it names: it asks for the labelled resources, so it is filtered by them, as a query of nothing but grade
    shorthand is (八下), and its words only rank within them (``ParsedQuery.scored_only``: 教案 in the title first).
    It then counts and ranks the few thousand resources labelled so among a million, instead of every resource with
    数学 and 教案 anywhere in its text (a tenth of the library), and the page shows the filters, which the teacher may
    take off. When nothing is labelled so, the words are searched as words, as before."""
    if not parsed.terms or any(t.required for t in parsed.terms) or not parsed.boosts:
        return {}
    merged: dict[str, tuple[str, ...]] = {}
    for key, values in parsed.boosts:
        merged[key] = tuple(dict.fromkeys([*merged.get(key, ()), *values]))
    return {k: v for k, v in merged.items() if k not in chosen}


def search(
    backend: SearchBackend,
    lexicon: Lexicon,
    analyzer: Analyzer,
    text: str,
    *,
    visibility: Any,
    filters: dict[str, str | Sequence[str]] | None = None,
    sort: str = SORT_RELEVANCE,
    limit: int = 20,
    offset: int = 0,
    facets: bool = True,
    exact: bool = False,
) -> Answer:
    """Understand ``text``, search, prefer a correction to a relaxed match, diversify the relevance pages within
    the first ``POOL_FACTOR × limit`` hits. ``exact``: search what was typed (no correction)."""
    u = understand(text, lexicon, analyzer)
    filters = dict(filters or {})
    shorthand_filters: dict[str, str | tuple[str, ...]] = {}
    parsed = u.parsed
    if not parsed.terms and u.filters():
        # Nothing but 八下: the shorthand is the filter (unless the caller chose one).
        shorthand_filters = {k: v for k, v in u.filters().items() if k not in filters}
        filters.update(shorthand_filters)
        parsed = ParsedQuery()
    stated = constraint_filters(parsed, filters)
    pooled = sort == SORT_RELEVANCE and bool(parsed.terms) and offset < limit * POOL_FACTOR
    fetch_limit, fetch_offset = (limit * POOL_FACTOR, 0) if pooled else (limit, offset)

    def run(p: ParsedQuery, extra: dict[str, str | tuple[str, ...]] | None = None) -> SearchResult:
        if extra:  # the labels are filters now: their boosts would add the same to every document
            p = ParsedQuery(terms=p.terms, boosts=tuple(b for b in p.boosts if b[0] not in extra), scored_only=True)
        return backend.search(
            p,
            visibility=visibility,
            filters={**filters, **extra} if extra else filters,
            sort=sort,
            limit=fetch_limit,
            offset=fetch_offset,
            facets=facets,
            highlight=False,
        )

    result = run(parsed, stated)
    if stated and result.total:
        shorthand_filters.update(stated)
    elif stated:  # nothing labelled so: the words as words, as before
        result = run(parsed)
    answer = Answer(result=result, understanding=u, query_used=text, shorthand_filters=shorthand_filters)
    if u.correction and not exact:
        fixed = understand(u.corrected_text, lexicon, analyzer)
        weak = result.total == 0 or result.mode != MODE_ALL
        other = run(fixed.parsed)
        if other.total and other.mode == MODE_ALL and (weak or result.total * 10 < other.total):
            answer.result, answer.query_used, answer.corrected = other, u.corrected_text, True
            answer.understanding.parsed = fixed.parsed
        else:
            answer.did_you_mean = u.corrected_text if other.total else ""
    if answer.result.total == 0 and len(u.words) > 1:
        answer.broader = [" ".join(w for w in u.words if w != drop) for drop in reversed(u.words)][:3]
    if pooled:
        answer.result.hits = diversify(answer.result.hits, upto=offset + limit)[offset : offset + limit]
    marks = answer.understanding.parsed.marks
    for hit in answer.result.hits:
        hit.title_html = analyzer.snippet(hit.title, marks, width=200)
        hit.snippet_html = analyzer.snippet(hit.description, marks)
    return answer

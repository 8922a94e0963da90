"""Query understanding (issue 19): one test per pattern, each over a small index of its own making.

The documents are invented for the pattern (not taken from any evaluation set): the point is the rule — a typo is
corrected to the name it nearly spells, any form of a dictionary group finds the others, shorthand becomes 年级/册,
compounds and formulas match however they are written, page 1 is not one lesson five times, marks cover whole words
and every hit says why it matched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zhijiao.resources.search import SearchDoc, Visibility
from zhijiao.resources.search.analysis import Analyzer, normalize
from zhijiao.resources.search.backend import MODE_ALL, Hit
from zhijiao.resources.search.tantivy_backend import TantivyBackend
from zhijiao.resources.search.understand import Lexicon, diversify, parse_seed, search, understand

EVERYONE = Visibility(everything=True)
SEED = Path(__file__).resolve().parent.parent / "data" / "search_terms.txt"
NAMES = {
    "勾股定理": "知识点", "勾股定理的逆定理": "知识点", "有理数": "知识点", "一元二次方程": "知识点",
    "二次函数": "知识点", "一次函数": "知识点", "垂径定理": "知识点", "圆周角": "知识点", "欧姆定律": "知识点",
    "牛顿第一定律": "知识点", "函数的单调性": "知识点", "垂直于弦的直径": "章节", "数据的分析": "章节",
}  # fmt: skip


def _lexicon() -> Lexicon:
    groups, popular = parse_seed(SEED.read_text(encoding="utf-8").splitlines())
    return Lexicon(groups=groups, vocabulary=NAMES, popular=popular)


def _doc(doc_id: str, title: str, **kw) -> SearchDoc:
    base = {
        "stage": "初中",
        "subject": "数学",
        "grade": "八年级",
        "volume": "下册",
        "type": "课件",
        "sharing": "public",
    }
    base.update(kw)
    return SearchDoc(id=doc_id, title=title, owner_division_code="440305", **base)


def _engine(tmp_path, docs: list[SearchDoc]) -> tuple[TantivyBackend, Lexicon]:
    lexicon = _lexicon()
    backend = TantivyBackend(tmp_path / "idx", terms=[*NAMES, *lexicon.terms()])
    backend.index(docs)
    backend.commit()
    return backend, lexicon


def _search(backend: TantivyBackend, lexicon: Lexicon, text: str, **kw):
    return search(backend, lexicon, backend.analyzer, text, visibility=EVERYONE, **kw)


def _ids(answer) -> list[str]:
    return [h.id for h in answer.result.hits]


# ---- typos ------------------------------------------------------------------------------------------------------


def test_a_one_character_typo_keeps_the_topic_instead_of_or_matching_the_rare_word(tmp_path):
    docs = [
        _doc("p1", "勾股定理 课件", kp_names=["勾股定理"]),
        _doc("p2", "勾股定理 教学设计", type="教案"),
        _doc("p3", "勾股定理的逆定理 微课", type="微课"),
        _doc("law1", "欧姆定律 实验 课件", subject="物理"),
        _doc("law2", "牛顿第一定律 课件", subject="物理"),
        _doc("li", "课堂里的数学游戏", subject="数学"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    for typo in ("勾股定里", "勾股定律", "勾骨定理", "沟股定理"):
        answer = _search(backend, lexicon, typo)
        assert answer.corrected and answer.query_used == "勾股定理", typo
        assert set(_ids(answer)[:3]) == {"p1", "p2", "p3"}, typo
        assert not {"law1", "law2", "li"} & set(_ids(answer)), typo
        assert answer.result.mode == MODE_ALL
    # Typed exactly as meant: no correction offered.
    answer = _search(backend, lexicon, "勾股定理")
    assert not answer.corrected and not answer.did_you_mean
    # The caller may insist on what was typed.
    assert not _search(backend, lexicon, "勾股定里", exact=True).corrected


def test_a_correct_word_near_a_name_is_not_corrected_when_it_finds_enough(tmp_path):
    docs = [_doc(f"c{i}", f"三次函数的图象 第{i}课时", stage="高中", grade="高二") for i in range(5)]
    docs.append(_doc("two", "二次函数 课件"))
    backend, lexicon = _engine(tmp_path, docs)
    answer = _search(backend, lexicon, "三次函数")
    assert not answer.corrected
    assert set(_ids(answer)) == {f"c{i}" for i in range(5)}


def test_correction_ignores_names_spelled_right_inside_the_query():
    lexicon, analyzer = _lexicon(), Analyzer(NAMES)
    assert understand("二次函数图像 PPT", lexicon, analyzer).correction is None
    assert understand("有里数", lexicon, analyzer).correction == ("有里数", "有理数")


# ---- variants and synonyms --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("二次函数图像", "二次函数的图象与性质"),
        ("二次函数的图象", "二次函数图像 微课"),
        ("勾股定理 PPT", "勾股定理 课件"),
        ("勾股定理 课件", "勾股定理.pptx 演示文稿"),
        ("一元二次方程 教学设计", "一元二次方程 教案"),
        ("一元二次方程 教案", "一元二次方程 教学设计（第1课时）"),
        ("有理数 学案", "有理数 导学案"),
        ("有理数 导学案", "有理数 学案"),
        ("有理数 测试卷", "有理数 单元考试卷"),
        ("有理数 试卷", "有理数 测试卷"),
        ("毕达哥拉斯定理", "勾股定理 微课"),
        ("垂径定理", "24.1.2 垂直于弦的直径 课件"),
    ],
)
def test_variants_and_synonyms_find_each_other(tmp_path, query, title):
    backend, lexicon = _engine(tmp_path, [_doc("hit", title), _doc("other", "平行四边形的判定 课件")])
    answer = _search(backend, lexicon, query)
    assert _ids(answer) == ["hit"], query


def test_synonyms_are_highlighted_too(tmp_path):
    backend, lexicon = _engine(tmp_path, [_doc("hit", "二次函数的图象与性质 演示文稿")])
    hit = _search(backend, lexicon, "二次函数 图像 PPT").result.hits[0]
    assert "<mark>二次函数</mark>的<mark>图象</mark>" in hit.title_html
    assert "<mark>演示文稿</mark>" in hit.title_html


def test_a_bureau_entry_takes_effect_at_query_time(tmp_path):
    backend, lexicon = _engine(tmp_path, [_doc("hit", "勾股定理 智慧课堂实录")])
    assert _search(backend, lexicon, "勾股定理 公开课").result.mode != MODE_ALL  # only "any word" finds it
    edited = Lexicon(groups=[*lexicon.groups, ("synonym", ("公开课", "课堂实录"))], vocabulary=NAMES)
    backend.add_terms(edited.terms())
    answer = _search(backend, edited, "勾股定理 公开课")
    assert _ids(answer) == ["hit"] and answer.result.mode == MODE_ALL


# ---- grade shorthand --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "grade", "volume"),
    [
        ("七上 有理数", "七年级", ("上册",)),
        ("人教版八下勾股定理", "八年级", ("下册",)),
        ("初一上 有理数", "七年级", ("上册",)),
        ("初二下册 一次函数", "八年级", ("下册",)),
        ("九年级上 二次函数", "九年级", ("上册",)),
        ("高一 函数的单调性", "高一", ()),
        ("必修一 函数的单调性", "", ("必修第一册", "必修1", "必修一")),
        ("三下 数学", "三年级", ("下册",)),
    ],
)
def test_grade_shorthand_becomes_grade_and_volume(query, grade, volume):
    u = understand(query, _lexicon(), Analyzer(NAMES))
    assert (u.grade, u.volume) == (grade, volume)
    assert all(piece not in " ".join(u.words) for piece in u.shorthand)


def test_shorthand_ranks_the_grade_and_volume_first_and_alone_filters(tmp_path):
    docs = [
        _doc("g7", "有理数 课件", grade="七年级", volume="上册"),
        _doc("g7b", "有理数的乘方 课件", grade="七年级", volume="上册"),
        _doc("g8", "有理数复习 课件", grade="八年级", volume="下册"),
        _doc("hs", "有理数 衔接课件", stage="高中", grade="高一", volume="必修第一册"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    assert set(_ids(_search(backend, lexicon, "七上 有理数"))[:2]) == {"g7", "g7b"}
    assert _ids(_search(backend, lexicon, "必修一 有理数"))[0] == "hs"
    assert _ids(_search(backend, lexicon, "初二下 有理数"))[0] == "g8"
    only = _search(backend, lexicon, "七上")  # nothing but shorthand: a filter
    assert set(_ids(only)) == {"g7", "g7b"}
    assert only.shorthand_filters == {"grade": ("七年级", "初一"), "volume": ("上册", "七年级上册")}


def test_shorthand_matches_the_labels_the_resource_centre_indexes(tmp_path):
    # The resource centre labels grades from the code table (初二) and volumes by the textbook (八年级下册).
    docs = [
        _doc("g8", "一次函数 课件", grade="初二", volume="八年级下册"),
        _doc("g7", "一次函数 课件（拓展）", grade="初一", volume="七年级下册"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    assert _ids(_search(backend, lexicon, "八下 一次函数"))[0] == "g8"
    assert _ids(_search(backend, lexicon, "八下")) == ["g8"]


# ---- compounds and formulas -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("期末试卷", "八年级数学期末考试卷"),
        ("期末考试卷", "八年级数学期末试卷"),
        ("勾股定理", "勾股定理的逆定理 课件"),
        ("逆定理", "勾股定理的逆定理 课件"),
        ("单元测试", "勾股定理单元测试题"),
    ],
)
def test_compounds_match_however_they_are_split(tmp_path, query, title):
    backend, lexicon = _engine(tmp_path, [_doc("hit", title), _doc("other", "平行四边形 课件")])
    assert _ids(_search(backend, lexicon, query)) == ["hit"], query


@pytest.mark.parametrize("query", ["ax²", "ax^2", "AX^2", "x^2", "y=ax²+bx+c", "ＡＸ²"])
def test_formulas_keep_their_exponents(tmp_path, query):
    docs = [
        _doc("square", "二次函数 y=ax²+bx+c 的图象"),
        _doc("line", "一次函数 y=ax+b 的图象"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    answer = _search(backend, lexicon, query)
    assert _ids(answer) == ["square"], query
    assert "x²</mark>" in answer.result.hits[0].title_html


def test_a_formula_finds_the_theorem_it_states(tmp_path):
    docs = [_doc("named", "勾股定理 课件"), _doc("other", "平行四边形 课件"), _doc("sub", "x₁+x₂ 根与系数")]
    backend, lexicon = _engine(tmp_path, docs)
    assert _ids(_search(backend, lexicon, "a²+b²=c²")) == ["named"]
    assert _ids(_search(backend, lexicon, "F=ma")) == []  # no 牛顿第二定律 here: nothing, not every "a"
    assert "sub" not in _ids(_search(backend, lexicon, "x^2"))  # a subscript is not a power


def test_normalize_is_length_preserving():
    for text in ("ax²+bx", "ＰＰＴ课件", "Ⅻ", "㎡", "牛頓第二定律"):
        assert len(normalize(text)) == len(text)
    assert normalize("牛頓第二定律 ＰＰＴ") == "牛顿第二定律 ppt"


def test_traditional_characters_find_simplified_text(tmp_path):
    backend, lexicon = _engine(tmp_path, [_doc("hit", "牛顿第二定律 课件", subject="物理"), _doc("o", "欧姆定律")])
    assert _ids(_search(backend, lexicon, "牛頓第二定律")) == ["hit"]


def test_long_queries_also_show_what_misses_one_word_after_what_has_all(tmp_path):
    docs = [
        _doc("all", "Unit 3 Is this your pencil? Section A 课件", subject="英语"),
        _doc("most", "Unit 3 pencil 单词 课件", subject="英语"),
        _doc("few", "Unit 5 课件", subject="英语"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    assert _ids(_search(backend, lexicon, "Unit 3 Is this your pencil? Section A")) == ["all", "most"]


# ---- near-duplicates and repetition -----------------------------------------------------------------------------


def test_first_page_is_diverse_not_one_section_in_five_media_types(tmp_path):
    docs = [
        _doc(f"dup-{t}", f"《圆的面积》{t}", type=t, chapter_id="c1", grade="六年级", stage="小学")
        for t in ("课件", "微课", "教案", "学案", "试卷")
    ]
    docs += [
        _doc("arc", "圆的弧长和扇形面积 课件", chapter_id="c2", grade="九年级"),
        _doc("angle", "圆周角 微课", type="微课", chapter_id="c3", grade="九年级"),
        _doc("chord", "圆的垂径定理 教案", type="教案", chapter_id="c4", grade="九年级"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    first = _ids(_search(backend, lexicon, "圆", limit=5))
    assert sum(i.startswith("dup-") for i in first) <= 3
    assert {"arc", "angle", "chord"} & set(first)
    # Every hit is still reachable over the pages, once.
    pages = [*first, *_ids(_search(backend, lexicon, "圆", limit=5, offset=5))]
    assert sorted(pages) == sorted(d.id for d in docs)


def test_diversify_keeps_a_clearly_better_hit_first():
    hits = [
        Hit("a", 10.0, "勾股定理 课件", "", group="c1"),
        Hit("b", 9.9, "勾股定理 微课", "", group="c1"),
        Hit("c", 3.0, "平行四边形", "", group="c2"),
    ]
    assert [h.id for h in diversify(hits)] == ["a", "b", "c"]


def test_repeating_the_term_in_the_title_does_not_win(tmp_path):
    docs = [
        _doc("spam", "圆 圆 圆 圆 圆"),
        _doc("real", "圆的面积 课件", description="圆的面积公式的推导"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    hits = _search(backend, lexicon, "圆").result.hits
    scores = {h.id: h.score for h in hits}
    assert scores["spam"] <= scores["real"] * 1.05


# ---- highlighting and reasons -----------------------------------------------------------------------------------


def test_highlighting_marks_whole_words_not_fragments(tmp_path):
    backend, lexicon = _engine(tmp_path, [_doc("hit", "勾股定理的逆定理 课件", description="用勾股定理判断直角三角形")])
    hit = _search(backend, lexicon, "勾股定理").result.hits[0]
    assert hit.title_html == "<mark>勾股定理</mark>的逆定理 课件"  # 定理 inside 逆定理 is not marked
    assert "<mark>勾股定理</mark>判断" in hit.snippet_html


def test_highlighting_does_not_split_a_phrase():
    analyzer = Analyzer(NAMES)
    assert analyzer.highlight("二次函数图像与性质", ["二次函数", "图像"]) == "<mark>二次函数图像</mark>与性质"
    assert analyzer.highlight("二次函数图像", ["数图"]) == "二次函<mark>数图</mark>像"  # nowhere a word: still shown


def test_hits_matched_through_keywords_or_knowledge_points_say_why(tmp_path):
    docs = [
        _doc("kp", "第十七章 第1课时 课件", kp_names=["勾股定理", "毕达哥拉斯定理"]),
        _doc("kw", "直角三角形三边关系 微课", keywords=["勾股定理"]),
        _doc("title", "勾股定理 课件"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    reasons = {h.id: h.reason for h in _search(backend, lexicon, "勾股定理").result.hits}
    assert reasons == {"kp": "知识点「勾股定理」", "kw": "关键词「勾股定理」", "title": ""}


# ---- explain, suggestions, zero results -------------------------------------------------------------------------


def test_explain_shows_the_parsed_query(tmp_path):
    backend, lexicon = _engine(tmp_path, [_doc("hit", "勾股定理 课件", grade="八年级", volume="下册")])
    explained = _search(backend, lexicon, "八下 勾股定理 PPT").explain()
    assert explained["words"] == ["勾股定理", "ppt"]
    assert explained["terms"][1]["variants"][:1] == ["课件"]
    assert (explained["grade"], explained["volume"], explained["shorthand"]) == ("八年级", ["下册"], ["八下"])
    assert explained["knowledge_points"] == ["勾股定理"]
    assert explained["terms"][1]["required"] is False  # PPT: a type, ranks 课件 first, need not match
    assert explained["boosts"] == {"type": ["课件"], "grade": ["八年级", "初二"], "volume": ["下册", "八年级下册"]}
    assert explained["match_mode"] == "all"


def test_suggestions_offer_names_popular_queries_and_corrections():
    lexicon = _lexicon()
    assert lexicon.suggest("勾股")[:2] == [
        {"text": "勾股定理", "kind": "知识点"},
        {"text": "勾股定理的逆定理", "kind": "知识点"},
    ]
    assert {"text": "垂直于弦的直径", "kind": "章节"} in lexicon.suggest("弦")
    assert lexicon.suggest("勾股定里") == [{"text": "勾股定理", "kind": "纠错"}]
    assert lexicon.suggest("")[0]["kind"] == "热门"


def test_zero_results_offer_broader_queries(tmp_path):
    backend, lexicon = _engine(tmp_path, [_doc("hit", "勾股定理 课件")])
    answer = _search(backend, lexicon, "勾股定理 平行四边形", filters={"grade": "九年级"})
    assert answer.result.total == 0
    assert answer.broader[0] == "勾股定理"


# ---- formulas written partly, other languages, constraints as labels, names read from the left (issue 19, round 2)


def test_a_formula_written_partly_means_the_dictionary_formula_that_holds_it(tmp_path):
    docs = [
        _doc("exact", "二次函数 y=ax² 的图象和性质"),
        _doc("topic", "二次函数 课件", kp_names=["二次函数"]),
        _doc("equation", "一元二次方程 ax²+bx+c=0 求根公式", kp_names=["一元二次方程"]),
        _doc("squares", "14.2.1 平方差公式 课件"),
        _doc("paper", "菱形 单元检测卷（B卷）", description="A卷、B卷任选", type="试卷"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    ranked = _ids(_search(backend, lexicon, "y=ax²"))
    assert ranked[:2] == ["exact", "topic"]  # the formula as typed first, then its topic (y=ax²+bx+c → 二次函数)
    # Lone letters say nothing: (a+b)(a-b) is 平方差公式, not every text with an "a" and a "B".
    assert _ids(_search(backend, lexicon, "(a+b)(a-b)")) == ["squares"]
    assert lexicon.formula_group("y = ax²") == lexicon.forms("二次函数")
    assert lexicon.formula_group("ab") is None


def test_an_english_synonym_does_not_outrank_titles_in_the_language_typed(tmp_path):
    docs = [
        _doc("bilingual", "Pythagorean Theorem 双语课件", keywords=["Pythagorean theorem"], kp_names=["勾股定理"]),
        _doc("chinese", "勾股定理 课件"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    assert _ids(_search(backend, lexicon, "勾股定理")) == ["chinese", "bilingual"]
    assert _ids(_search(backend, lexicon, "Pythagorean theorem")) == ["bilingual", "chinese"]
    term = understand("勾股定理", lexicon, backend.analyzer).parsed.terms[0]
    weights = dict(zip(term.forms, term.weights, strict=True))
    assert weights["勾股定理"] == 1.0 and weights["pythagorean theorem"] < weights["毕达哥拉斯定理"] < 1.0


def test_type_and_grade_words_rank_by_the_label_not_by_keyword_text(tmp_path):
    docs = [
        _doc("eighth", "2021-2022学年八年级下学期期中英语试卷", type="试卷", subject="英语", grade="八年级", volume=""),
        _doc(
            "seventh",
            "2023-2024学年七年级上学期期中英语试卷",
            keywords=["英语", "试卷", "期中"],
            type="试卷",
            subject="英语",
            grade="七年级",
            volume="",
        ),
        _doc("plan", "17.1 勾股定理 导学案", type="学案"),
        _doc(
            "video",
            "勾股定理 微课",
            type="微课",
            keywords=["勾股定理"],
            kp_names=["勾股定理"],
            chapter_names=["第17章 勾股定理", "17.1 勾股定理"],
        ),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    assert _ids(_search(backend, lexicon, "初二下 英语 期中"))[0] == "eighth"
    # 导学案 asks for the type 学案: the plain one ranks above a 微课 whose every field repeats the topic.
    assert _ids(_search(backend, lexicon, "勾股定理 导学案")) == ["plan", "video"]


def test_names_are_read_from_the_left(tmp_path):
    lexicon = Lexicon(
        groups=[("variant", ("图像", "图象"))],
        vocabulary={"指数": "章节", "函数的图象": "知识点", "指数函数": "知识点", "勾股定理的逆定理": "知识点"},
    )
    analyzer = Analyzer(lexicon.terms())
    assert understand("指数函数的图象", lexicon, analyzer).words == ["指数函数", "图象"]
    assert understand("勾股定理的逆定理", lexicon, analyzer).words == ["勾股定理的逆定理"]  # the longest name wins


def test_two_whole_words_with_few_hits_are_followed_by_those_with_one(tmp_path):
    docs = [
        _doc("both", "4.2.2 指数函数的图像和性质 课件", kp_names=["指数函数"], stage="高中", grade="高一"),
        _doc("name", "指数函数 教学设计", type="教案", stage="高中", grade="高一"),
        _doc("other", "对数函数 课件", stage="高中", grade="高一"),
    ]
    backend, lexicon = _engine(tmp_path, docs)
    lexicon = Lexicon(groups=lexicon.groups, vocabulary={**NAMES, "指数函数": "知识点"}, popular=lexicon.popular)
    backend.add_terms(lexicon.terms())
    answer = _search(backend, lexicon, "指数函数的图象")
    assert _ids(answer) == ["both", "name"] and answer.result.mode == MODE_ALL
    # Fragments the segmenter cut from one unknown word are not backfilled (the engine alone: three terms needed).
    assert backend.search("毕达哥拉斯定律", visibility=EVERYONE).hits == []


def test_explain_shows_the_forms_as_the_dictionary_writes_them(tmp_path):
    lexicon = _lexicon()
    analyzer = Analyzer(lexicon.terms())
    (term,) = understand("y=ax²", lexicon, analyzer).explain()["terms"]
    assert term["word"] == "y=ax²" and "y=ax²+bx+c" in term["variants"] and "二次函数" in term["variants"]
    (term,) = understand("勾股定理", lexicon, analyzer).explain()["terms"]
    assert "a²+b²=c²" in term["variants"] and not any("^" in v for v in term["variants"])


# ---- queries of nothing but constraint words (decision 0059-search-latency) -------------------------------------


def test_constraint_words_alone_filter_by_their_labels_and_rank_by_their_words(tmp_path):
    docs = [
        _doc("plan", "七年级数学 教案 有理数", grade="七年级", volume="上册", type="教案"),
        _doc("plan2", "有理数的加法", grade="七年级", volume="上册", type="教案"),
        _doc("plan8", "八年级数学 教案 勾股定理", grade="八年级", type="教案"),
        _doc("ppt", "七年级数学 课件 有理数", grade="七年级", volume="上册"),  # 课件, not 教案
        _doc("phys", "七年级 数学 教案 素材", subject="物理", grade="七年级", type="教案"),  # 数学 only in the text
    ]
    backend, lexicon = _engine(tmp_path, docs)
    answer = _search(backend, lexicon, "七年级 数学 教案")
    assert _ids(answer) == ["plan", "plan2"]  # the words rank within the labels: 数学 and 教案 in the title first
    assert answer.shorthand_filters == {"subject": ("数学",), "type": ("教案",), "grade": ("七年级", "初一")}
    assert answer.explain()["filters_from_query"]["type"] == ["教案"]
    assert answer.result.facets["type"] == {"教案": 2}
    # A filter the caller chose stays the caller's; a topic word makes the constraint words boosts again.
    chosen = _search(backend, lexicon, "七年级 数学 教案", filters={"type": ["课件"]})
    assert _ids(chosen) == ["ppt"] and "type" not in chosen.shorthand_filters
    topic = _search(backend, lexicon, "数学 教案 有理数")
    assert topic.shorthand_filters == {} and set(_ids(topic)[:2]) == {"plan", "plan2"} and "ppt" in _ids(topic)
    # Nothing labelled so: the words are searched as words, as before.
    words = _search(backend, lexicon, "高一 物理 教案")
    assert _ids(words)[0] == "phys" and words.shorthand_filters == {}


def test_optional_clauses_chained_score_as_one_boolean(tmp_path):
    """The ranked query adds each optional clause on a level of its own (tantivy would read several as a union of
    their postings): the same documents with the same scores as the flat boolean."""
    from tantivy import Occur, Query

    from zhijiao.resources.search.tantivy_backend import _optional_chain

    docs = [_doc(f"d{i}", f"有理数 第{i}课时", grade=("七年级", "八年级")[i % 2], volume=("上册", "下册")[i % 3 > 0])
            for i in range(30)]  # fmt: skip
    backend, _ = _engine(tmp_path, docs)
    searcher = backend.index_.searcher()
    required = Query.boolean_query([(Occur.Must, backend._term("any_w", "有理数"))])
    optional = [
        Query.const_score_query(backend._term("grade", "七年级"), 20.0),
        Query.const_score_query(backend._term("volume", "上册"), 20.0),
        backend._term("title_w", "有理数"),
    ]
    flat = Query.boolean_query([(Occur.Must, required), *((Occur.Should, q) for q in optional)])
    chained = _optional_chain(required, optional)

    def ranked(q):
        return [(round(score, 4), searcher.doc(a).get_first("id")) for score, a in searcher.search(q, limit=50).hits]

    assert ranked(chained) == ranked(flat) and len(ranked(flat)) == 30

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from zhijiao.resources.search import SearchDoc, Visibility
from zhijiao.resources.search.analysis import Analyzer, highlight, ngrams
from zhijiao.resources.search.backend import SearchBackend
from zhijiao.resources.search.evaluate import QUERIES, build, evaluate
from zhijiao.resources.search.tantivy_backend import TantivyBackend

TEACHER = Visibility.teacher("4403050001", "440305")
OTHER_CITY = Visibility.teacher("4401060001", "440106")


def _doc(doc_id: str, title: str, **kw) -> SearchDoc:
    base = {
        "description": "",
        "stage": "初中",
        "subject": "数学",
        "grade": "八年级",
        "type": "课件",
        "edition": "人教版",
        "volume": "下册",
        "sharing": "public",
        "owner_school_code": "4403050002",
        "owner_division_code": "440305",
    }
    base.update(kw)
    return SearchDoc(id=doc_id, title=title, **base)


DOCS = [
    _doc("circle", "圆周角定理 微课", type="微课", grade="九年级", volume="上册", description="圆周角与圆心角的关系"),
    _doc("func", "二次函数图像与性质 课件", grade="九年级", volume="上册", description="用描点法画二次函数的图像"),
    _doc("pyth", "勾股定理 课件（第1课时）", kp_ids=["kp-17-1"], kp_names=["勾股定理", "毕达哥拉斯定理"]),
    _doc("pyth-plan", "人教版八年级下册 17.1 勾股定理 教学设计", type="教案", kp_ids=["kp-17-1"]),
    _doc("pyth-bsd", "勾股定理 课件", edition="北师大版", volume="上册", kp_ids=["kp-17-1"]),
    _doc("phys", "光的折射 课件", subject="物理", grade="八年级", volume="上册"),
    _doc("draft", "勾股定理 草稿 课件", status="draft"),
    _doc("review", "勾股定理 待审 课件", status="review"),
    _doc("own-school", "勾股定理 本校 课件", sharing="school", owner_school_code="4403050001"),
    _doc("other-school", "勾股定理 他校 课件", sharing="school", owner_school_code="4403050009"),
    _doc("own-district", "勾股定理 本区 课件", sharing="district", owner_division_code="440305"),
    _doc("other-district", "勾股定理 外区 课件", sharing="district", owner_division_code="440306"),
    _doc("own-city", "勾股定理 本市 课件", sharing="city", owner_division_code="440307"),
    _doc("other-city", "勾股定理 外市 课件", sharing="city", owner_division_code="440106"),
]


@pytest.fixture
def engine(tmp_path) -> TantivyBackend:
    backend = TantivyBackend(tmp_path / "idx", terms=["勾股定理", "圆周角"])
    backend.index(DOCS)
    backend.commit()
    return backend


def _ids(result) -> set[str]:
    return {h.id for h in result.hits}


def test_backend_satisfies_protocol(engine):
    backend: SearchBackend = engine
    assert backend.search("圆", visibility=TEACHER).total == 1


def test_one_and_two_character_queries_find_substrings(engine):
    assert _ids(engine.search("圆", visibility=TEACHER)) == {"circle"}  # inside 圆周角, 圆心角
    assert _ids(engine.search("函数", visibility=TEACHER)) == {"func"}  # inside 二次函数
    assert _ids(engine.search("勾股", visibility=TEACHER)) == {
        "pyth", "pyth-plan", "pyth-bsd", "own-school", "own-district", "own-city",
    }  # fmt: skip


def test_unpublished_and_out_of_scope_never_appear(engine):
    seen = _ids(engine.search("勾股定理", visibility=TEACHER, limit=50))
    assert seen == {"pyth", "pyth-plan", "pyth-bsd", "own-school", "own-district", "own-city"}
    assert _ids(engine.search("勾股定理", visibility=OTHER_CITY, limit=50)) == {
        "pyth",
        "pyth-plan",
        "pyth-bsd",
        "other-city",
    }
    assert _ids(engine.search("勾股定理", visibility=Visibility(), limit=50)) == {"pyth", "pyth-plan", "pyth-bsd"}
    everything = _ids(engine.search("", visibility=TEACHER, limit=50))
    assert not everything & {"draft", "review", "other-school", "other-district", "other-city"}
    admin = _ids(engine.search("勾股定理", visibility=Visibility(everything=True), limit=50))
    assert admin == {d.id for d in DOCS if d.status == "published" and "勾股" in d.title}
    district_bureau = Visibility(bureau_prefixes=frozenset({"440306"}))
    assert _ids(engine.search("勾股定理", visibility=district_bureau, limit=50)) == {
        "pyth", "pyth-plan", "pyth-bsd", "other-district",
    }  # fmt: skip
    city_bureau = Visibility(bureau_prefixes=frozenset({"4403"}), city_codes=frozenset({"4403"}))
    assert _ids(engine.search("勾股定理", visibility=city_bureau, limit=50)) == admin - {"other-city"}


def test_visibility_from_selector_terms():
    class Terms:  # the shape of resources.selectors.VisibilityTerms
        everything = False
        school_codes = frozenset({"4403050001"})
        district_codes = frozenset({"440305"})
        city_codes = frozenset({"4403"})
        bureau_prefixes = frozenset()

    assert Visibility.from_terms(Terms()) == TEACHER


def test_filters_combine_with_and_across_fields_or_within(engine):
    r = engine.search("勾股定理", visibility=TEACHER, filters={"type": "教案"})
    assert _ids(r) == {"pyth-plan"}
    r = engine.search("勾股定理", visibility=TEACHER, filters={"edition": "北师大版", "volume": "上册"})
    assert _ids(r) == {"pyth-bsd"}
    r = engine.search("勾股定理", visibility=TEACHER, filters={"edition": "北师大版", "type": "教案"})
    assert r.total == 0
    r = engine.search("", visibility=TEACHER, filters={"subject": ["物理", "数学"], "volume": "上册"}, limit=50)
    assert _ids(r) == {"circle", "func", "pyth-bsd", "phys"}
    r = engine.search("", visibility=TEACHER, filters={"kp_ids": "kp-17-1"}, limit=50)
    assert _ids(r) == {"pyth", "pyth-plan", "pyth-bsd"}
    # A value no document has (a grade's other name) changes nothing; only such values match nothing.
    r = engine.search("", visibility=TEACHER, filters={"grade": ["九年级", "初三"], "type": ["微课", "试卷"]}, limit=50)
    assert _ids(r) == {"circle"} and r.facets["grade"] == {"九年级": 1}
    r = engine.search("", visibility=TEACHER, filters={"type": ["微课", "教案", "试卷"]}, limit=50)
    assert _ids(r) == {"circle", "pyth-plan"} and r.facets["type"] == {"微课": 1, "教案": 1}
    r = engine.search("", visibility=TEACHER, filters={"grade": ["初三", "高三"]}, limit=50)
    assert r.total == 0 and not r.hits
    r = engine.search("", visibility=TEACHER, filters={"kp_ids": ["kp-17-1", "kp-0"], "edition": "北师大版"}, limit=50)
    assert _ids(r) == {"pyth-bsd"}
    with pytest.raises(ValueError):
        engine.search("", visibility=TEACHER, filters={"owner": "x"})


def test_facets_count_the_filtered_result(engine):
    r = engine.search("勾股定理", visibility=TEACHER, limit=1)
    assert r.total == 6
    assert r.facets["type"] == {"课件": 5, "教案": 1}
    assert r.facets["edition"] == {"人教版": 5, "北师大版": 1}
    r = engine.search("勾股定理", visibility=TEACHER, filters={"type": "课件"})
    assert r.facets["type"] == {"课件": 5}
    assert r.facets["edition"] == {"人教版": 4, "北师大版": 1}
    assert r.facets["kp_ids"] == {"kp-17-1": 2}


def test_facets_without_query_words_count_everything_visible(engine):
    r = engine.search("", visibility=TEACHER, limit=1)
    assert list(r.facets) == ["stage", "subject", "grade", "type", "edition", "volume", "chapter_id", "kp_ids"]
    assert r.total == 9 and r.facets["kp_ids"] == {"kp-17-1": 3}
    assert r.facets["subject"] == {"数学": 8, "物理": 1}


@pytest.mark.parametrize("sort", ["relevance", "newest"])
@pytest.mark.parametrize("limit", [0, -1])
def test_limit_zero_counts_without_hits(engine, sort, limit):
    # tantivy itself panics (a Rust assertion) on limit=0: the backend counts alone
    r = engine.search("勾股定理", visibility=TEACHER, limit=limit, sort=sort)
    assert r.hits == [] and r.total == 6 and r.facets["type"] == {"课件": 5, "教案": 1}
    r = engine.search("", visibility=TEACHER, limit=limit, sort=sort, offset=3)
    assert r.hits == [] and r.total == 9
    assert len(engine.search("勾股定理", visibility=TEACHER, limit=1, sort=sort).hits) == 1


def test_facets_without_query_words_are_kept_until_the_index_changes(engine, monkeypatch):
    first = engine.search("", visibility=TEACHER, limit=1)
    counted = []
    monkeypatch.setattr(engine, "_facets", lambda *a: counted.append(a) or {})
    again = engine.search("", visibility=TEACHER, limit=1)
    assert again.facets == first.facets and counted == []  # kept: no second count
    assert engine.search("", visibility=Visibility(), limit=1) and len(counted) == 1  # another visibility counts
    assert engine.search("", visibility=TEACHER, filters={"type": "教案"}, limit=1) and len(counted) == 2
    monkeypatch.undo()
    engine.index([_doc("new", "勾股定理 新课件", type="微课")])
    engine.commit()  # the index changed: counted afresh
    assert engine.search("", visibility=TEACHER, limit=1).facets["type"]["微课"] == first.facets["type"]["微课"] + 1


def test_knowledge_point_alias_matches(engine):
    assert _ids(engine.search("毕达哥拉斯定理", visibility=TEACHER)) == {"pyth"}


def test_highlighting_escapes_and_marks(engine):
    hit = engine.search("圆", visibility=TEACHER).hits[0]
    assert hit.title_html == "<mark>圆</mark>周角定理 微课"
    assert hit.snippet_html == "<mark>圆</mark>周角与<mark>圆</mark>心角的关系"
    assert highlight("<b>勾股</b>", ["勾股"]) == "&lt;b&gt;<mark>勾股</mark>&lt;/b&gt;"


def test_sorts(tmp_path):
    backend = TantivyBackend(tmp_path / "s")
    backend.index(
        [
            _doc("a", "分式 课件", rating=4.5, value_score=10, published_at=datetime(2024, 1, 1, tzinfo=UTC)),
            _doc("b", "分式 教案", rating=3.0, value_score=90, published_at=datetime(2025, 1, 1, tzinfo=UTC)),
            _doc("c", "分式方程 学案", rating=5.0, value_score=50, published_at=datetime(2023, 1, 1, tzinfo=UTC)),
        ]
    )
    backend.commit()
    order = {
        s: [h.id for h in backend.search("分式", visibility=TEACHER, sort=s).hits]
        for s in ("newest", "rating", "value")
    }
    assert order == {"newest": ["b", "a", "c"], "rating": ["c", "a", "b"], "value": ["b", "c", "a"]}


def test_delete_and_reindex_replace(engine):
    engine.delete(["circle"])
    engine.commit()
    assert engine.search("圆", visibility=TEACHER).total == 0
    engine.index([_doc("func", "一次函数 课件")])  # same id: replaces
    engine.commit()
    assert [h.id for h in engine.search("函数", visibility=TEACHER).hits] == ["func"]
    assert engine.search("二次", visibility=TEACHER).total == 0
    assert engine.num_docs() == len(DOCS) - 1


def test_index_reopens_from_disk(engine, tmp_path):
    again = TantivyBackend(tmp_path / "idx")
    assert _ids(again.search("勾股定理 教案", visibility=TEACHER)) == {"pyth-plan"}


def test_ngrams_and_custom_dictionary():
    assert ngrams("圆周角 abc") == ["圆", "周", "角", "圆周", "周角", "abc"]
    analyzer = Analyzer(["根的判别式"])
    assert "根的判别式" in analyzer.query_words("一元二次方程 根的判别式")


def test_relevance_evaluation_small_corpus(tmp_path):
    assert len(QUERIES) >= 60
    backend, corpus = build(3000, str(tmp_path / "eval"))
    report = evaluate(backend, corpus)
    assert report.ndcg10 >= 0.8, report.by_kind
    assert report.zero_result_rate <= 0.05


def test_second_instance_sees_commits_after_reload(engine, tmp_path):
    reader = TantivyBackend(tmp_path / "idx")
    engine.index([_doc("new", "分式方程 微课")])
    engine.commit()
    reader.index_.reload()
    assert _ids(reader.search("分式", visibility=TEACHER)) == {"new"}


def test_longer_substrings_match_when_words_do_not(tmp_path):
    backend = TantivyBackend(tmp_path / "sub")
    backend.index([_doc("yy", "岳阳楼记 课件", subject="语文"), _doc("pyth", "勾股定理 课件")])
    backend.commit()
    assert "阳楼记" not in backend.analyzer.words("岳阳楼记 课件")
    assert _ids(backend.search("阳楼记", visibility=TEACHER)) == {"yy"}
    assert _ids(backend.search("股定理", visibility=TEACHER)) == {"pyth"}
    r = backend.search("勾股定理 岳阳楼", visibility=TEACHER)  # no resource has both: any word
    assert _ids(r) == {"yy", "pyth"}
    assert r.facets["subject"] == {"语文": 1, "数学": 1}


def test_visibility_tokens_follow_the_rule():
    from zhijiao.resources.search.tantivy_backend import visibility_query_tokens, visibility_tokens

    assert visibility_tokens(_doc("a", "x", sharing="public")) == ["all", "pub", "b:44", "b:4403", "b:440305"]
    assert visibility_tokens(_doc("a", "x", sharing="city"))[:2] == ["all", "c:4403"]
    assert visibility_tokens(_doc("a", "x", sharing="district"))[:2] == ["all", "d:440305"]
    assert visibility_tokens(_doc("a", "x", sharing="school"))[:2] == ["all", "s:4403050002"]
    assert visibility_tokens(_doc("a", "x", status="draft")) == []
    assert visibility_query_tokens(Visibility()) == ["pub"]
    assert visibility_query_tokens(Visibility(everything=True)) == ["all"]
    assert visibility_query_tokens(TEACHER) == ["pub", "c:4403", "d:440305", "s:4403050001"]


def test_facet_query_matches_exactly_the_ranked_query(tmp_path):
    """Facets are counted with the cheaper unscored query; it must match the same documents in every attempt."""
    backend, _ = build(1500, str(tmp_path / "same"))
    searcher = backend.index_.searcher()
    texts = [q.text for q in QUERIES[::4]] + ["阳楼记", "股定理 圆", "七年级 数学 教案", "", "勾股定理 岳阳楼"]
    checked = 0
    for text in texts:
        words = backend.analyzer.query_words(text)
        for filters in (None, {"grade": "八年级"}, {"type": ["微课", "课件", "微课"]}, {"grade": ["八年级", "初二"]}):
            for vis in (TEACHER, OTHER_CITY, Visibility(), Visibility(everything=True)):
                for attempt in ({}, {"long_grams": True}, {"any_word": True, "long_grams": True}):
                    ranked = backend.build_query(words, vis, filters, searcher=searcher, **attempt)
                    matching = backend.build_query(words, vis, filters, match_only=True, **attempt)
                    n = searcher.search(ranked, limit=1, count=True).count
                    assert searcher.search(matching, limit=1, count=True).count == n, (text, filters, vis, attempt)
                    checked += n > 0
                    if n and not filters and vis == TEACHER:  # a sorted page comes from the unscored query
                        by_date = [backend._run(searcher, q, "newest", 10, 0).hits for q in (ranked, matching)]
                        assert [a for _, a in by_date[0]] == [a for _, a in by_date[1]]
    assert checked > 100
    result = backend.search("七年级 数学 教案", visibility=TEACHER)
    assert sum(result.facets["grade"].values()) >= result.total > 0


def test_index_of_an_older_schema_is_left_alone(tmp_path):
    import tantivy

    old = tantivy.SchemaBuilder()
    old.add_text_field("id", stored=True)
    tantivy.Index(old.build(), path=str(tmp_path), reuse=True)  # an index written before the schema changed
    backend = TantivyBackend(tmp_path)
    assert backend.num_docs() == 0  # a fresh index beside it, filled by resources_reindex
    backend.index(DOCS)
    backend.commit()
    assert _ids(TantivyBackend(tmp_path).search("圆", visibility=TEACHER)) == {"circle"}


def test_dense_labels_match_but_score_only_where_they_are_rare(engine):
    searcher = engine.index_.searcher()
    every = engine._field_clauses("数学", long_grams=False, searcher=searcher)  # in nearly every meta field
    assert (
        len(every) < len(engine._field_clauses("数学", long_grams=False, searcher=None)) == 9
    )  # 5 word fields (sub-words too), 4 n-gram fields
    assert len(engine._field_clauses("折射", long_grams=False, searcher=searcher)) == 9  # one document
    r = engine.search("数学 勾股定理", visibility=TEACHER, limit=50)
    assert _ids(r) == {"pyth", "pyth-plan", "pyth-bsd", "own-school", "own-district", "own-city"}

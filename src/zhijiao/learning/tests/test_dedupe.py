"""Duplicate detection (pure): normalisation, the scan and the inverted index agree."""

import random

from zhijiao.learning import dedupe


def test_normalise_drops_spacing_width_punctuation_and_dollars():
    assert dedupe.normalise(" 方程 $x^2 - 1 = 0$ 的解是（  ）。") == dedupe.normalise("方程$x^2-1=0$的解是( )")
    assert dedupe.normalise("Ｘ＋１") == "x+1"


def test_near_copies_match_and_different_stems_do_not():
    a = dedupe.normalise("已知一次函数 y=2x+3 的图象经过点 (1, m)，求 m 的值。")
    b = dedupe.normalise("已知一次函数y=2x+3的图象经过点(1,m)，求m的值")
    c = dedupe.normalise("已知一次函数 y=2x-3 的图象经过点 (2, n)，求 n 的值。")
    assert [m.key for m in dedupe.find_duplicates(a, [(1, b), (2, c)])] == [1]
    assert dedupe.find_duplicates(a, [(1, b)])[0].similarity == 1.0


def test_index_agrees_with_the_scan():
    rng = random.Random(3)
    words = "一二三四五六七八九十甲乙丙丁方程函数三角形面积周长直线圆"
    stems = ["".join(rng.choice(words) for _ in range(rng.randint(8, 30))) for _ in range(300)]
    stems += [s[:-1] for s in stems[:30]]  # near-copies
    candidates = [(i, dedupe.normalise(s)) for i, s in enumerate(stems[:300])]
    index = dedupe.DuplicateIndex(candidates)
    for s in stems[300:] + stems[:20]:
        norm = dedupe.normalise(s)
        assert index.find(norm) == dedupe.find_duplicates(norm, candidates)

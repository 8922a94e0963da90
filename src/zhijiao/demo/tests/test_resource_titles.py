"""The demo library's titles read like real uploads: varied, seeded, no repeated template sentence (issue 19)."""

from __future__ import annotations

import random
from collections import Counter

from zhijiao.demo.resource_titles import Lesson, TitleWriter, cn_number

LESSONS = [
    Lesson("3", "数学", "八年级", "下册", "勾股定理", "人教版", "17.1", "17", "勾股定理"),
    Lesson("3", "语文", "八年级", "上册", "背影", "部编版"),
    Lesson("3", "英语", "七年级", "上册", "Unit 1 My name's Gina"),
    Lesson("4", "物理", "高一", "必修第一册", "牛顿运动定律", "人教版"),
]
LABELS = ["课件", "教案", "学案", "微课", "试题", "试卷", "案例", "图片", "音频", "视频", "动画", "文献资料"]


def _many(seed: int, n: int = 600) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    writer = TitleWriter(rng)
    return [writer.write(rng.choice(LESSONS), rng.choice(LABELS)) for _ in range(n)]


def test_same_seed_same_words_other_seed_other_words():
    assert _many(7) == _many(7)
    assert _many(7) != _many(8)


def test_titles_and_descriptions_vary_and_some_are_missing():
    rows = _many(1)
    titles = Counter(t for t, _, _ in rows)
    assert len(titles) > 200  # 600 uploads of 48 lesson × type pairs: a few repeats, as in a real library
    assert titles.most_common(1)[0][1] < 15
    descriptions = [d for _, d, _ in rows]
    assert 0.15 < descriptions.count("") / len(rows) < 0.45
    assert len({d for d in descriptions if d}) > 50
    assert 0.3 < sum(1 for _, _, k in rows if not k) / len(rows) < 0.6
    assert all(t == " ".join(t.split()) and "  " not in t for t in titles)
    # the way teachers write it: section numbers, shorthand grades, slide counts, book-title marks
    text = "\n".join(titles)
    for mark in ("17.1", "PPT", "《背影》", "含答案", "学年", "Section A"):
        assert mark in text, mark


def test_chapter_numbers_in_chinese():
    assert [cn_number(n) for n in (1, 10, 17, 20, 21, 28)] == ["一", "十", "十七", "二十", "二十一", "二十八"]

"""Item statistics against worked examples computed by hand (the arithmetic is in the comments)."""

import math

import numpy as np
import pytest

from zhijiao.learning.diagnosis import itemstats

# Five students, three 0/1 items. Totals 3, 2, 2, 1, 0: mean 1.6, population variance
# (1.4² + 0.4² + 0.4² + 0.6² + 1.6²) / 5 = 5.2 / 5 = 1.04.
SMALL = [[1, 1, 1], [1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 0]]


def test_difficulty_and_kr20_by_hand():
    stats = itemstats.item_statistics(SMALL)
    # p = 3/5, 3/5, 2/5
    assert [s.difficulty for s in stats.items] == pytest.approx([0.6, 0.6, 0.4])
    # KR-20 = 3/2 · (1 − Σpq / 1.04) = 1.5 · (1 − 0.72 / 1.04) = 1.5 · 4/13 = 6/13
    assert stats.kr20 == pytest.approx(6 / 13)
    # for 0/1 items alpha is KR-20: Σ var(item) = Σ p(1 − p)
    assert stats.alpha == pytest.approx(6 / 13)
    assert stats.mean_total == pytest.approx(1.6)
    assert stats.sd_total == pytest.approx(math.sqrt(1.04))


def test_point_biserial_and_corrected_item_total_by_hand():
    item = itemstats.item_statistics(SMALL).items[0]
    # item 1 = 1,1,1,0,0 with totals 3,2,2,1,0: cov = (3 + 2 + 2)/5 − 0.6·1.6 = 0.44;
    # r = 0.44 / sqrt(0.24 · 1.04) = 0.8807
    assert item.item_total == pytest.approx(0.44 / math.sqrt(0.24 * 1.04))
    # rest = 2,1,1,1,0: mean 1, variance 0.4, cov = (2 + 1 + 1)/5 − 0.6 = 0.2; r = 0.2 / sqrt(0.24 · 0.4) = 0.6455
    assert item.item_rest == pytest.approx(0.2 / math.sqrt(0.24 * 0.4))
    assert item.item_rest < item.item_total  # the uncorrected r counts the item in its own total


def test_alpha_with_partial_scores_by_hand():
    # two items of 2 points: scores (2,2), (1,2), (0,1), (1,1); item 1 = 2,1,0,1 (mean 1, variance 0.5),
    # item 2 = 2,2,1,1 (mean 1.5, variance 0.25); totals 4, 3, 1, 2 (mean 2.5, variance 1.25):
    # alpha = 2 · (1 − 0.75 / 1.25) = 0.8
    stats = itemstats.item_statistics([[2, 2], [1, 2], [0, 1], [1, 1]], max_points=[2, 2])
    assert stats.alpha == pytest.approx(0.8)
    assert stats.kr20 is None  # not 0/1 items
    # mean score ratio: item 1 (2 + 1 + 0 + 1) / (4 · 2) = 0.5, item 2 6/8 = 0.75
    assert [s.difficulty for s in stats.items] == pytest.approx([0.5, 0.75])
    assert stats.items[0].mean_points == pytest.approx(1.0)


# Ten students, three choice items (keys A, B, C); "" is a blank.
CHOICES = [
    ["A", "B", "C"],  # S1  3
    ["A", "B", "C"],  # S2  3
    ["A", "B", "D"],  # S3  2
    ["A", "C", "D"],  # S4  1
    ["B", "B", "D"],  # S5  1
    ["D", "A", "C"],  # S6  1
    ["C", "C", "C"],  # S7  1
    ["B", "C", "D"],  # S8  0
    ["C", "D", "A"],  # S9  0
    ["", "C", "D"],  # S10 0
]
KEYS = ["A", "B", "C"]


def _scored() -> np.ndarray:
    return np.array([[float(c == k) for c, k in zip(row, KEYS, strict=True)] for row in CHOICES])


def test_upper_lower_index_by_hand():
    stats = itemstats.item_statistics(_scored())
    # 27 % of 10 = 2.7 → 3 students per group: upper S1, S2, S3 (totals 3, 3, 2), lower S8, S9, S10 (0, 0, 0)
    assert stats.group_size == 3
    assert [s.difficulty for s in stats.items] == pytest.approx([0.4, 0.4, 0.4])
    # item 1: upper 3/3 right, lower 0/3 → D = 1; item 2 the same; item 3: upper S1, S2 right (2/3), lower 0
    assert [s.upper_lower for s in stats.items] == pytest.approx([1.0, 1.0, 2 / 3])


def test_distractor_analysis_by_hand():
    totals = _scored().sum(axis=1)
    item3 = {o.option: o for o in itemstats.distractors([r[2] for r in CHOICES], "C", totals)}
    # overall: A 1/10 (S9), C 4/10, D 5/10, B nobody
    assert (item3["A"].share, item3["C"].share, item3["D"].share, item3["B"].share) == pytest.approx(
        (0.1, 0.4, 0.5, 0.0)
    )
    # upper S1, S2, S3 chose C, C, D; lower S8, S9, S10 chose D, A, D
    assert (item3["C"].upper, item3["D"].upper, item3["D"].lower, item3["A"].lower) == pytest.approx(
        (2 / 3, 1 / 3, 2 / 3, 1 / 3)
    )
    assert item3["C"].is_key and not item3["D"].is_key
    assert item3["B"].flag == "unchosen" and item3["D"].flag == "" and item3["C"].flag == ""

    item1 = {o.option: o for o in itemstats.distractors([r[0] for r in CHOICES], "A", totals)}
    # the blank (S10, lower group) is listed as its own row; the shares sum to 1
    assert item1[""].share == pytest.approx(0.1) and item1[""].lower == pytest.approx(1 / 3)
    assert sum(o.share for o in item1.values()) == pytest.approx(1.0)


def test_a_distractor_that_draws_the_upper_group_is_flagged():
    # option B is chosen by two of the three best students and by none of the weakest
    totals = [9, 8, 7, 5, 4, 3, 2, 1, 0, 0]
    choices = ["B", "B", "A", "A", "A", "C", "C", "D", "C", "D"]
    stats = {o.option: o for o in itemstats.distractors(choices, "A", totals)}
    assert stats["B"].flag == "upper>lower"
    assert stats["C"].flag == "" and stats["D"].flag == ""


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        itemstats.item_statistics([[3, 1]], max_points=[2, 2])  # 3 points on a 2-point item
    with pytest.raises(ValueError):
        itemstats.kr20([[0.5, 1]])
    with pytest.raises(ValueError):
        itemstats.item_statistics([1, 0, 1])


def test_constant_item_has_no_discrimination():
    stats = itemstats.item_statistics([[1, 1], [1, 0], [1, 1]])
    assert math.isnan(stats.items[0].item_total)
    assert stats.items[0].difficulty == 1.0

"""Scoring of every item kind and its edges (pure: no database)."""

from fractions import Fraction

import pytest

from zhijiao.learning.scoring import (
    ItemKind,
    PartialRule,
    ScoringError,
    ScoringKey,
    blank_matches,
    normalise_text,
    numeric_value,
    score_response,
    score_rubric,
)

SINGLE = ScoringKey(kind=ItemKind.SINGLE, points=3, answer=("B",), option_keys=("A", "B", "C", "D"))
TF = ScoringKey(kind=ItemKind.TRUE_FALSE, points=2, answer=("T",))


def multiple(partial: PartialRule) -> ScoringKey:
    return ScoringKey(
        kind=ItemKind.MULTIPLE, points=6, answer=("A", "C", "D"), option_keys=tuple("ABCD"), partial=partial
    )


@pytest.mark.parametrize(
    ("response", "points"),
    [("B", 3), ("b", 3), ("Ｂ", 3), (["B"], 3), ("A", 0), ("", 0), (None, 0), ("AB", 0), (["B", "C"], 0)],
)
def test_single_choice_is_exact(response, points):
    assert score_response(SINGLE, response).points == points


@pytest.mark.parametrize(
    ("response", "points"),
    [
        ("T", 2),
        ("对", 2),
        ("√", 2),
        (True, 2),
        ("正确", 2),
        ("F", 0),
        ("错", 0),
        (False, 0),
        ("", 0),
        (None, 0),
        ("也许", 0),
    ],
)
def test_true_false(response, points):
    assert score_response(TF, response).points == points


def test_true_false_key_given_in_chinese():
    key = ScoringKey(kind=ItemKind.TRUE_FALSE, points=2, answer=("错",))
    assert score_response(key, "F").points == 2
    assert score_response(key, "T").points == 0


@pytest.mark.parametrize(
    ("partial", "response", "points"),
    [
        (PartialRule.HALF, "ACD", 6),
        (PartialRule.HALF, ["D", "A", "C"], 6),
        (PartialRule.HALF, "A,C", 3),
        (PartialRule.HALF, "A", 3),
        (PartialRule.HALF, "AB", 0),  # a wrong choice: nothing
        (PartialRule.HALF, "ABCD", 0),
        (PartialRule.HALF, "", 0),
        (PartialRule.NONE, "AC", 0),
        (PartialRule.NONE, "ACD", 6),
        (PartialRule.PER_CHOICE, "AC", 4),
        (PartialRule.PER_CHOICE, "A", 2),
        (PartialRule.PER_CHOICE, "AE", 0),
    ],
)
def test_multiple_choice_partial_credit(partial, response, points):
    result = score_response(multiple(partial), response)
    assert result.points == points
    assert result.max_points == 6
    assert result.correct is (points == 6)


def test_per_choice_rounds_to_a_tenth():
    key = ScoringKey(kind=ItemKind.MULTIPLE, points=5, answer=("A", "B", "C"), partial=PartialRule.PER_CHOICE)
    assert score_response(key, "A").points == 1.7


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.5", Fraction(1, 2)),
        (".50", Fraction(1, 2)),
        ("1/2", Fraction(1, 2)),
        ("50%", Fraction(1, 2)),
        ("５０％", Fraction(1, 2)),
        ("-3", -3),
        ("+3.0", 3),
        ("2/0", None),
        ("x", None),
        ("1/2/3", None),
    ],
)
def test_numeric_forms(text, value):
    assert numeric_value(text) == value


def test_normalise_folds_width_space_case_and_punctuation():
    assert normalise_text(" Ｘ ＝ ２ ") == "x=2"
    assert normalise_text("（1，2）") == "(1,2)"


def test_blank_matches_text_and_numbers():
    assert blank_matches("x = 2", ["x=2"])
    assert blank_matches("0.25", ["1/4"])
    assert blank_matches("三角形", ["△", "三角形"])
    assert not blank_matches("", ["0"])
    assert not blank_matches("0.3", ["1/3"])


def test_blanks_are_scored_one_by_one():
    key = ScoringKey(kind=ItemKind.BLANK, points=4, answer=(("3", "三"), ("1/2",)))
    assert score_response(key, ["3", "0.5"]).points == 4
    result = score_response(key, ["三", "0.6"])
    assert result.points == 2
    assert result.detail == (True, False)
    assert score_response(key, ["3"]).points == 2  # a missing blank scores nothing
    assert score_response(key, "3").points == 2  # one string is the first blank
    assert score_response(key, None).points == 0


def test_subjective_kinds_wait_for_a_marker():
    for kind in (ItemKind.OPEN, ItemKind.ESSAY):
        result = score_response(ScoringKey(kind=kind, points=10), "我的解答")
        assert result.needs_marking and result.points is None and result.correct is None


RUBRIC = ScoringKey(kind=ItemKind.OPEN, points=10, rubric=(("思路", 4), ("计算", 4), ("书写", 2)))


def test_rubric_sums_criteria():
    result = score_rubric(RUBRIC, {"思路": 4, "计算": 2.5, "书写": 1})
    assert result.points == 7.5
    assert result.detail == (("思路", 4.0), ("计算", 2.5), ("书写", 1.0))


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        ({"思路": 5, "计算": 0, "书写": 0}, "0 到 4"),
        ({"思路": -1, "计算": 0, "书写": 0}, "0 到 4"),
        ({"思路": 1, "计算": 0}, "书写"),
        ({"思路": 1, "计算": 0, "书写": 0, "卷面": 1}, "没有这个评分项"),
    ],
)
def test_rubric_rejects_bad_marks(marks, message):
    with pytest.raises(ScoringError, match=message):
        score_rubric(RUBRIC, marks)


def test_rubric_without_criteria_takes_one_total():
    key = ScoringKey(kind=ItemKind.ESSAY, points=50)
    assert score_rubric(key, {"总分": 42}).points == 42
    with pytest.raises(ScoringError):
        score_rubric(key, {"总分": 51})

"""Each normalisation on the spellings schools really use (no database needed)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from zhijiao.intake import normalise as norm
from zhijiao.intake.checks import given


def apply(function, values: list[str | None], *args) -> list:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(function(pl.col("v"), *args).alias("v"))["v"].to_list()


@pytest.mark.parametrize(
    "typed",
    ["2010-3-5", "2010-03-05", "2010/03/05", "2010/3/5", "2010.3.5", "2010年3月5日", "20100305", "40242", " 2010-3-5 "],
)
def test_dates_in_every_common_form(typed):
    assert apply(norm.date, [typed]) == [dt.date(2010, 3, 5)]


@pytest.mark.parametrize("typed", ["2010-13-05", "2010年2月30日", "昨天", "123"])
def test_impossible_dates_are_null(typed):
    assert apply(norm.date, [typed]) == [None]


def test_full_width_zero_width_and_stray_spaces():
    assert apply(norm.clean, ["\u200b１２３ＡＢ\u3000", "  ", None, "a\ufeffb"]) == ["123AB", None, None, "ab"]
    assert apply(norm.name, ["张 三", "阿依古丽.买买提", "\u3000李四\u200b"]) == ["张三", "阿依古丽·买买提", "李四"]


def test_id_numbers_take_an_upper_case_x_and_lose_separators():
    typed = ["42011220180505123x", "420112 20180505 123X", "４２０１１２２０１８０５０５１２３ｘ"]
    assert apply(norm.id_number, typed) == ["42011220180505123X"] * 3


@pytest.mark.parametrize(
    ("table", "typed", "code"),
    [
        ("ethnicity", "汉族", "01"),
        ("ethnicity", "汉", "01"),
        ("ethnicity", "1", "01"),
        ("ethnicity", "01", "01"),
        ("sex", "男", "1"),
        ("sex", "女", "2"),
        ("id_type", "居民身份证", "1"),
    ],
)
def test_codes_given_by_name(table, typed, code):
    assert apply(norm.code, [typed], table) == [code]


def test_mobiles_lose_the_country_code_and_dashes():
    assert apply(norm.mobile, ["+86 139-0000-5678", "13900005678", "8613900005678"]) == ["13900005678"] * 3


def test_a_cell_of_spaces_is_not_given():
    frame = pl.DataFrame({"_raw_x": ["\u3000 ", "\u200b", None, " a "]})
    assert frame.select(given("x").alias("given"))["given"].to_list() == [False, False, False, True]

"""The ID-number rule has two implementations: the scalar validator (forms, the API) and the vectorised
import check. They must agree on every kind of number, historic region codes included."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest

from zhijiao.core.errors import ZhijiaoError
from zhijiao.core.validators import id_check_digit, id_region_codes, validate_id_number
from zhijiao.intake.checks import Checks, add_id_rules
from zhijiao.intake.spec import SPECS

TODAY = date(2026, 11, 22)


def _number(region: str, born: str, order: str = "123") -> str:
    first17 = region + born + order
    return first17 + id_check_digit(first17)


def _corpus() -> list[tuple[str, str]]:
    """(number, what it is) for valid numbers and each way one fails."""
    rng = random.Random(2260)
    regions = sorted(id_region_codes())
    cases: list[tuple[str, str]] = []
    for _ in range(300):
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, (TODAY - date(1950, 1, 1)).days))
        cases.append((_number(rng.choice(regions), f"{born:%Y%m%d}", f"{rng.randrange(1000):03d}"), "valid"))
    cases += [
        (_number("421023", "20100305"), "historic region (监利县, now 421088)"),
        (_number("421088", "20100305"), "current region"),
        (_number("420000", "20100305"), "province-level region"),
        (_number("420100", "20100305"), "city-level region"),
        (_number("110103", "19851231"), "historic region (崇文区)"),
        (_number("420112", "19000101"), "earliest year 1900"),
        (_number("420112", "20000229"), "leap day 2000"),
        (_number("420112", f"{TODAY:%Y%m%d}"), "born today"),
        (_number("999999", "20100305"), "unknown region"),
        (_number("420199", "20100305"), "unknown county"),
        (_number("420112", "18991231"), "before 1900"),
        (_number("420112", "19000229"), "no leap day in 1900"),
        (_number("420112", "20101301"), "month 13"),
        (_number("420112", "20100230"), "30 February"),
        (_number("420112", f"{TODAY + timedelta(days=1):%Y%m%d}"), "born tomorrow"),
        (_number("420112", "20990101"), "far future"),
        ("42011219850305123", "17 digits"),
        ("420112850305123", "15-digit first-generation number (not accepted)"),
        ("42011219850305123A", "letter other than X"),
    ]
    for number, _ in list(cases[:100]):
        wrong = "0" if number[17] != "0" else "1"
        cases.append((number[:17] + wrong, "bad checksum"))
    return cases


def _scalar(number: str) -> str:
    try:
        validate_id_number(number, today=TODAY)
    except ZhijiaoError as exc:
        return exc.error.code
    return "OK"


def _vectorised(numbers: list[str]) -> list[str]:
    checks = Checks(SPECS["students"])
    frame = pl.DataFrame({"id_number": numbers, "id_type": ["1"] * len(numbers)}).with_columns(
        _raw_id_number=pl.col("id_number")
    )
    add_id_rules(checks, TODAY)
    frame = checks.evaluate(frame)
    codes = [rule.error.code for rule in checks.rules]
    first = pl.coalesce([pl.when(pl.col(f"_r{i}")).then(pl.lit(code)) for i, code in enumerate(codes)] + [pl.lit("OK")])
    return frame.select(first.alias("code"))["code"].to_list()


def test_scalar_and_vectorised_id_rules_agree_on_every_kind_of_number():
    corpus = _corpus()
    vectorised = _vectorised([n for n, _ in corpus])
    disagreements = [
        (number, what, _scalar(number), fast)
        for (number, what), fast in zip(corpus, vectorised, strict=True)
        if _scalar(number) != fast
    ]
    assert disagreements == []
    verdict = {what: _scalar(number) for number, what in corpus}
    assert verdict["historic region (监利县, now 421088)"] == "OK"
    assert verdict["historic region (崇文区)"] == "OK"
    assert verdict["earliest year 1900"] == verdict["leap day 2000"] == verdict["born today"] == "OK"
    assert verdict["unknown region"] == verdict["unknown county"] == "CORE_ID_REGION"
    assert verdict["before 1900"] == verdict["no leap day in 1900"] == verdict["month 13"] == "CORE_ID_BIRTH_DATE"
    assert verdict["born tomorrow"] == verdict["far future"] == "CORE_ID_BIRTH_FUTURE"
    assert verdict["15-digit first-generation number (not accepted)"] == "CORE_ID_FORMAT"
    assert verdict["bad checksum"] == "CORE_ID_CHECKSUM"
    assert sum(1 for _, what in corpus if what == "valid") == 300


@pytest.mark.parametrize("region", ["421023", "110103", "320102"])
def test_historic_region_codes_are_accepted(region):
    assert validate_id_number(_number(region, "19900101"), today=TODAY)

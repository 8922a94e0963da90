from datetime import date

import pytest

from zhijiao.core.errors import CoreError, ZhijiaoError
from zhijiao.core.validators import (
    IdFacts,
    id_check_digit,
    id_number_facts,
    to_halfwidth,
    validate_id_number,
    validate_mobile,
    validate_school_code,
    validate_student_no,
)

TODAY = date(2025, 9, 1)


def _reference_check_digit(first17: str) -> str:
    # ISO 7064 MOD 11-2 in its iterative form, independent of the weight table in the code under test.
    p = 0
    for digit in first17:
        p = ((p + int(digit)) * 2) % 11
    check = (12 - p) % 11
    return "X" if check == 10 else str(check)


def _with_check(first17: str) -> str:
    return first17 + _reference_check_digit(first17)


def _wrong_check(first17: str) -> str:
    right = _reference_check_digit(first17)
    return first17 + ("0" if right != "0" else "1")


def _error(excinfo: pytest.ExceptionInfo[ZhijiaoError]) -> CoreError:
    error = excinfo.value.error
    assert isinstance(error, CoreError)
    return error


# --- check digit -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "check"),
    [
        # Published examples of valid numbers.
        ("11010519491231002X", "X"),
        ("440308199901101512", "2"),
    ],
)
def test_id_check_digit_matches_published_examples(number, check):
    assert id_check_digit(number[:17]) == check
    assert _reference_check_digit(number[:17]) == check


@pytest.mark.parametrize("first17", ["33010620090101123", "11010520000229001", "65010219800101999"])
def test_id_check_digit_agrees_with_iterative_algorithm(first17):
    assert id_check_digit(first17) == _reference_check_digit(first17)


@pytest.mark.parametrize(
    "bad",
    ["", "1101051949123100", "110105194912310021", "1101051949123100a", "１１０１０５１９４９１２３１００２"],
)
def test_id_check_digit_rejects_non_17_ascii_digits(bad):
    with pytest.raises(ValueError):
        id_check_digit(bad)


# --- validate_id_number ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",
        "440308199901101512",
        _with_check("33010620090101123"),
        _with_check("33010019950615001"),  # city-level region code (杭州市)
        _with_check("11000020000229012"),  # province-level region code, leap day
    ],
)
def test_validate_id_number_accepts_valid_numbers(number):
    assert validate_id_number(number, today=TODAY) == number


def test_validate_id_number_normalises_lowercase_x_and_spaces():
    assert validate_id_number("  110105 19491231 002x\u3000", today=TODAY) == "11010519491231002X"


def test_validate_id_number_normalises_fullwidth_digits_and_x():
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ", today=TODAY) == "11010519491231002X"
    assert validate_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY) == "11010519491231002X"


@pytest.mark.parametrize("empty", [None, "", "   ", "\u3000"])
def test_validate_id_number_empty_is_required(empty):
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_id_number(empty, today=TODAY)
    assert _error(excinfo) is CoreError.CORE_REQUIRED


@pytest.mark.parametrize(
    "bad",
    [
        "11010519491231002",  # 17 characters
        "11010519491231002X1",  # 19 characters
        "1101051949123100X2",  # X not last
        "11010519491231002Y",
        "G11010519491231002X",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # non-ASCII digits that str.isdigit() accepts
    ],
)
def test_validate_id_number_bad_format(bad):
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_id_number(bad, today=TODAY)
    assert _error(excinfo) is CoreError.CORE_ID_FORMAT


def test_validate_id_number_unknown_region():
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_id_number(_with_check("99999919900101001"), today=TODAY)
    assert _error(excinfo) is CoreError.CORE_ID_REGION


@pytest.mark.parametrize(
    "first17",
    [
        "11010519990230001",  # 30 February
        "11010520010229001",  # 2001 is not a leap year
        "11010519901301001",  # month 13
        "11010519900100001",  # day 0
        "11010518991231001",  # before 1900
    ],
)
def test_validate_id_number_impossible_birth_date(first17):
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_id_number(_with_check(first17), today=TODAY)
    assert _error(excinfo) is CoreError.CORE_ID_BIRTH_DATE


def test_validate_id_number_birth_date_in_future():
    number = _with_check("11010520250902001")
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_id_number(number, today=TODAY)
    assert _error(excinfo) is CoreError.CORE_ID_BIRTH_FUTURE
    # Born today is fine.
    assert validate_id_number(number, today=date(2025, 9, 2)) == number


def test_validate_id_number_future_uses_current_date_by_default():
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_id_number(_with_check("11010520990101001"))
    assert _error(excinfo) is CoreError.CORE_ID_BIRTH_FUTURE


def test_validate_id_number_bad_check_digit():
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_id_number("110105194912310021", today=TODAY)
    assert _error(excinfo) is CoreError.CORE_ID_CHECKSUM
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_id_number(_wrong_check("33010620090101123"), today=TODAY)
    assert _error(excinfo) is CoreError.CORE_ID_CHECKSUM


def test_validate_id_number_checks_run_in_order():
    # Each number is wrong in two ways; the earlier check must be the one reported.
    cases = [
        (_wrong_check("99999919990230001"), CoreError.CORE_ID_REGION),  # region before date
        (_wrong_check("11010519990230001"), CoreError.CORE_ID_BIRTH_DATE),  # date before checksum
        (_wrong_check("11010520990101001"), CoreError.CORE_ID_BIRTH_FUTURE),  # future before checksum
    ]
    for number, expected in cases:
        with pytest.raises(ZhijiaoError) as excinfo:
            validate_id_number(number, today=TODAY)
        assert _error(excinfo) is expected, number


def test_validate_id_number_reports_field():
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_id_number("110105194912310021", field="身份证件号", today=TODAY)
    assert excinfo.value.field == "身份证件号"
    assert excinfo.value.code == "CORE_ID_CHECKSUM"
    assert excinfo.value.message.startswith("身份证件号：")


def test_id_number_facts():
    assert id_number_facts("11010519491231002X") == IdFacts(region="110105", birth_date=date(1949, 12, 31), sex="2")
    assert id_number_facts("440308199901101512").sex == "1"
    assert id_number_facts("11010519491231002x").region == "110105"


def test_id_number_facts_rejects_invalid_number():
    with pytest.raises(ZhijiaoError):
        id_number_facts("110105194912310021")


# --- validate_student_no -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("G11010519491231002X", "G11010519491231002X"),
        ("g11010519491231002x", "G11010519491231002X"),
        (" G 110105 19491231 002X ", "G11010519491231002X"),
        ("Ｇ１１０１０５１９４９１２３１００２Ｘ", "G11010519491231002X"),
        ("J810000200001010011", "J810000200001010011"),
        ("j81000020000101001x", "J81000020000101001X"),
        ("L123456789012345678", "L123456789012345678"),
        ("l12345678901234567X", "L12345678901234567X"),
    ],
)
def test_validate_student_no_accepts_each_form(raw, expected):
    assert validate_student_no(raw) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "11010519491231002X",  # no prefix
        "A11010519491231002X",  # unknown prefix
        "G11010519491231002",  # too short
        "J1234567890123456789",  # too long
        "L12345678901234567Y",
        "LX23456789012345678",  # X only allowed last
    ],
)
def test_validate_student_no_bad_format(bad):
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_student_no(bad, field="学籍号")
    assert _error(excinfo) is CoreError.CORE_STUDENT_NO_FORMAT
    assert excinfo.value.field == "学籍号"


@pytest.mark.parametrize(
    "bad",
    [
        "G110105194912310021",  # check digit
        "G" + _with_check("99999919900101001"),  # region
        "G" + _with_check("11010519990230001"),  # birth date
    ],
)
def test_validate_student_no_g_form_needs_valid_id(bad):
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_student_no(bad)
    assert _error(excinfo) is CoreError.CORE_STUDENT_NO_ID


def test_validate_student_no_j_and_l_forms_skip_id_checks():
    # Same digits as an invalid ID number: fine under J and L, which are not ID numbers.
    assert validate_student_no("J110105194912310021") == "J110105194912310021"
    assert validate_student_no("L110105194912310021") == "L110105194912310021"


def test_validate_student_no_empty_is_required():
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_student_no("  ")
    assert _error(excinfo) is CoreError.CORE_REQUIRED


# --- validate_school_code ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3133001234", "3133001234"),
        (3133001234, "3133001234"),
        (" 3133001234 ", "3133001234"),
        ("３１３３００１２３４", "3133001234"),
    ],
)
def test_validate_school_code_accepts(raw, expected):
    assert validate_school_code(raw) == expected


@pytest.mark.parametrize("bad", ["313300123", "31330012345", "313300123A", 313300123, "3133001234.0"])
def test_validate_school_code_rejects(bad):
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_school_code(bad, field="学校标识码")
    assert _error(excinfo) is CoreError.CORE_SCHOOL_CODE_FORMAT
    assert excinfo.value.field == "学校标识码"


def test_validate_school_code_empty_is_required():
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_school_code(None)
    assert _error(excinfo) is CoreError.CORE_REQUIRED


# --- validate_mobile ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        13812345678,
        "138-1234-5678",
        "138 1234 5678",
        "+86 138-1234-5678",
        "+8613812345678",
        "8613812345678",
        "0086 13812345678",
        "１３８１２３４５６７８",
        "138－1234－5678",  # full-width hyphens
    ],
)
def test_validate_mobile_accepts_and_normalises(raw):
    assert validate_mobile(raw) == "13812345678"


@pytest.mark.parametrize(
    "bad",
    [
        "12812345678",  # second digit 2
        "23812345678",
        "1381234567",  # 10 digits
        "138123456789",
        "+8612812345678",
        "+85291234567",  # Hong Kong
        "010-12345678",  # landline
        "1381234567a",
    ],
)
def test_validate_mobile_rejects(bad):
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_mobile(bad, field="手机号")
    assert _error(excinfo) is CoreError.CORE_MOBILE_FORMAT
    assert excinfo.value.field == "手机号"


def test_validate_mobile_empty_is_required():
    with pytest.raises(ZhijiaoError) as excinfo:
        validate_mobile(" - ")
    assert _error(excinfo) is CoreError.CORE_REQUIRED


# --- to_halfwidth ------------------------------------------------------------------------------------


def test_to_halfwidth():
    assert to_halfwidth("０１２３４５６７８９ＡＢＸｘ＋－\u3000") == "0123456789ABXx+- "
    assert to_halfwidth("西湖区１号") == "西湖区1号"
    assert to_halfwidth("abc 123") == "abc 123"

"""Realistic dirt for sample import files: each defect damages one row the way schools' files really are damaged.

A defect returns False when it does not apply to the row (no ID column, a passport instead of a resident ID …),
and the generator tries another, so every dirty row carries exactly one labelled defect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from random import Random

from zhijiao.core.validators import id_check_digit

Row = dict[str, object]
Defect = Callable[[Row, Random, list[Row]], bool]

RESIDENT_ID = "居民身份证"


def _id_field(row: Row) -> str | None:
    """The column holding a resident ID number, if the row has one (passports and permits do not count)."""
    if not row.get("身份证件号") or row.get("身份证件类型", RESIDENT_ID) != RESIDENT_ID:
        return None
    return "身份证件号"


def _bad_check_digit(row: Row, rng: Random, done: list[Row]) -> bool:
    field = _id_field(row)
    if not field:
        return False
    number = str(row[field])
    row[field] = number[:17] + ("0" if number[17] != "0" else "1")
    if "学籍号" in row and str(row["学籍号"]).startswith("G"):
        row["学籍号"] = "G" + str(row[field])
    return True


def _impossible_date(row: Row, rng: Random, done: list[Row]) -> bool:
    field = _id_field(row)
    if not field:
        return False
    number = str(row[field])
    first17 = number[:10] + "0230" + number[14:17]
    row[field] = first17 + id_check_digit(first17)
    if "出生日期" in row:
        row["出生日期"] = f"{number[6:10]}-02-30"
    return True


def _fullwidth_id(row: Row, rng: Random, done: list[Row]) -> bool:
    field = _id_field(row)
    if not field:
        return False
    row[field] = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in str(row[field]))
    return True


def _lowercase_x(row: Row, rng: Random, done: list[Row]) -> bool:
    field = _id_field(row)
    if not field or not str(row[field]).endswith("X"):
        return False
    row[field] = str(row[field])[:-1] + "x"
    return True


def _spaces(row: Row, rng: Random, done: list[Row]) -> bool:
    key = (
        "姓名" if "姓名" in row else "监护人姓名" if "监护人姓名" in row else "学校名称" if "学校名称" in row else None
    )
    if key is None:
        key = next(iter(row))
    row[key] = f" {row[key]}\u3000"
    return True


def _date_format(row: Row, rng: Random, done: list[Row]) -> bool:
    if "出生日期" not in row:
        return False
    y, m, d = (int(p) for p in str(row["出生日期"]).split("-"))
    style = rng.randrange(4)
    if style == 0:
        row["出生日期"] = f"{y}/{m}/{d}"
    elif style == 1:
        row["出生日期"] = f"{y}.{m:02d}.{d:02d}"
    elif style == 2:
        row["出生日期"] = f"{y}{m:02d}{d:02d}"
    else:
        row["出生日期"] = (date(y, m, d) - date(1899, 12, 30)).days  # an Excel serial date
    return True


def _sex_word(row: Row, rng: Random, done: list[Row]) -> bool:
    if "性别" not in row:
        return False
    row["性别"] = {"男": rng.choice(("M", "男性", "1")), "女": rng.choice(("F", "女性", "2"))}.get(
        str(row["性别"]), "M"
    )
    return True


def _ethnic_short(row: Row, rng: Random, done: list[Row]) -> bool:
    if "民族" not in row:
        return False
    row["民族"] = str(row["民族"]).removesuffix("族") or "汉"
    return True


def _mobile_format(row: Row, rng: Random, done: list[Row]) -> bool:
    key = "手机号" if "手机号" in row else "联系电话" if str(row.get("联系电话", "")).startswith("1") else None
    if key is None:
        return False
    number = str(row[key])
    row[key] = rng.choice((f"+86 {number}", f"{number[:3]}-{number[3:7]}-{number[7:]}"))
    return True


def _short_mobile(row: Row, rng: Random, done: list[Row]) -> bool:
    key = "手机号" if "手机号" in row else "监护人电话" if row.get("监护人电话") else None
    if key is None:
        return False
    row[key] = str(row[key])[:10]
    return True


def _missing_required(row: Row, rng: Random, done: list[Row]) -> bool:
    for key in ("姓名", "监护人姓名", "身份证件号", "学校名称", "工号"):
        if row.get(key):
            row[key] = ""
            return True
    return False


def _duplicate(row: Row, rng: Random, done: list[Row]) -> bool:
    if not done:
        return False
    row.clear()
    row.update(done[rng.randrange(len(done))])
    return True


def _unknown_school(row: Row, rng: Random, done: list[Row]) -> bool:
    if "学校标识码" not in row or "学校名称" in row:
        return False
    row["学校标识码"] = "9999999999"
    return True


def _unknown_class(row: Row, rng: Random, done: list[Row]) -> bool:
    # Student files call the class column 班级, assignment files 班号; class files define classes, so skip them.
    key = "班级" if "班级" in row else "班号" if "班号" in row and "班级名称" not in row else None
    if key is None:
        return False
    row[key] = 99
    return True


DEFECTS: dict[str, Defect] = {
    "ID校验码错误": _bad_check_digit,
    "不存在的日期": _impossible_date,
    "全角数字": _fullwidth_id,
    "小写x": _lowercase_x,
    "多余空格": _spaces,
    "日期格式不一": _date_format,
    "性别写法不一": _sex_word,
    "民族简写": _ethnic_short,
    "手机号格式": _mobile_format,
    "手机号位数不对": _short_mobile,
    "必填项为空": _missing_required,
    "重复行": _duplicate,
    "学校标识码不存在": _unknown_school,
    "班号不存在": _unknown_class,
}

"""Make the hand-made-looking school roster the end-to-end intake test reads (run it to regenerate the files).

``uv run python src/zhijiao/intake/tests/data/make_roster.py`` writes, next to itself:

- ``roster.xlsx``: 60 pupils of 东西湖区第一小学 三年级 as a school clerk keeps them — a merged title row, a
  two-row merged header (labels merged down over both rows, "学生信息" and "监护人" groups merged across), dates
  typed in four ways and as real dates, codes as words, numbers or abbreviations, and one defect in each bad row;
- ``roster-gb18030.csv``: the same sheet saved as CSV by a Chinese Excel (GB18030; a merged cell's text only
  in its first cell).

The defects and what the platform must say about them are written out by hand in the test, not read from here.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).parent
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number(region: str, born: date, order: int, sex: str) -> str:
    seq = order * 2 + (1 if sex == "1" else 0)  # odd for boys, even for girls
    first17 = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + check(first17)


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
)
GIVEN = "子涵浩然欣怡梓轩一诺雨桐宇航思远佳怡俊杰诗琪晨阳梦瑶志强嘉怡天佑若曦博文雅婷铭泽可馨瑞霖紫萱"
FATHER, MOTHER = "建国志明海涛卫东立新红军永强春生", "秀英桂兰丽华玉梅淑珍海燕春梅凤英"


def pupils() -> list[dict]:
    rng = Random(20261122)
    rows = []
    for n in range(60):
        sex = "1" if n % 2 == 0 else "2"
        born = date(2017, 9, 1) + timedelta(days=rng.randrange(0, 360))
        region = ("420112", "420112", "420112", "420104", "421088")[n % 5]
        surname = SURNAMES[n % len(SURNAMES)]
        given = GIVEN[(2 * n) % len(GIVEN)] + GIVEN[(2 * n + 7) % len(GIVEN)]
        number = id_number(region, born, 100 + n, sex)
        parent = rng.choice([FATHER, MOTHER])
        rows.append(
            {
                "姓名": surname + given,
                "性别": sex,
                "出生日期": born,
                "民族": "汉族",
                "身份证件类型": "居民身份证",
                "身份证件号": number,
                "学籍号": f"G{number}",
                "班级": str(1 + n % 2),
                "本人电话": "",
                "监护人姓名": surname + parent[2 * (n % 8) : 2 * (n % 8) + 2],
                "关系": "父亲" if parent is FATHER else "母亲",
                "监护人电话": f"139{n:04d}{rng.randrange(10000):04d}",
            }
        )
    # the historic-region pupil: born in 监利县 (421023) before it became 监利市 (421088) in 2020
    rows[7]["身份证件号"] = id_number("421023", rows[7]["出生日期"], 107, rows[7]["性别"])
    rows[7]["学籍号"] = "G" + rows[7]["身份证件号"]
    rows[11]["本人电话"] = "13800001111"  # a pupil with a phone of their own, beside the guardian's
    # ---- one defect per bad row (the test names each by the pupil's name)
    bad = rows[20]
    bad["身份证件号"] = bad["身份证件号"][:17] + ("0" if bad["身份证件号"][17] != "0" else "1")
    bad["学籍号"] = "L" + "2" * 17 + "0"  # a temporary 学籍号, so the ID number is the only problem
    rows[22]["出生日期"] = "2018-02-30"
    rows[24]["出生日期"] = rows[24]["出生日期"] + timedelta(days=3)  # disagrees with the ID number
    rows[26]["性别"] = "2" if rows[26]["性别"] == "1" else "1"
    rows[28]["班级"] = "7"
    rows[30]["民族"] = "火星族"
    rows[32]["姓名"] = "张伟2"
    rows[34] = dict(rows[33])  # the row typed twice
    rows[36]["姓名"] = ""
    rows[38]["身份证件号"] = id_number("999999", rows[38]["出生日期"], 138, rows[38]["性别"])
    rows[38]["学籍号"] = "L" + "3" * 17 + "8"
    rows[40]["身份证件号"] = f"{int(rows[40]['身份证件号'][:17]) * 10:.11E}"  # what Excel made of the number
    rows[42]["监护人电话"] = "1390000"  # too short: dropped, with a warning
    rows[44]["出生日期"] = date(2012, 3, 11)  # too old for 三年级: a warning
    rows[44]["身份证件号"] = id_number("420112", date(2012, 3, 11), 144, rows[44]["性别"])
    rows[44]["学籍号"] = "G" + rows[44]["身份证件号"]
    return rows


def styled(rows: list[dict]) -> list[list[object]]:
    """The cells as the clerk typed them: dates and codes in mixed styles."""
    out = []
    for n, r in enumerate(rows):
        born = r["出生日期"]
        if isinstance(born, date):
            born = [
                datetime(born.year, born.month, born.day),  # noqa: DTZ001 - a real (naive) date cell, as Excel has
                f"{born.year}/{born.month}/{born.day}",
                f"{born.year}年{born.month}月{born.day}日",
                f"{born:%Y%m%d}",
            ][n % 4]
        sex = {"1": ["男", "1", "男性"], "2": ["女", "2", "女性"]}[r["性别"]][n % 3]
        ethnic = r["民族"] if r["民族"] != "汉族" else ["汉族", "01", "汉"][n % 3]
        id_type = ["居民身份证", "身份证", ""][n % 3]
        klass = [r["班级"], f"{r['班级']}班", f"（{r['班级']}）班"][n % 3]
        number = r["身份证件号"].lower() if n % 9 == 0 else r["身份证件号"]
        out.append(
            [
                n + 1,
                r["姓名"],
                sex,
                born,
                ethnic,
                id_type,
                number,
                r["学籍号"],
                "3420112001",
                "三年级",
                klass,
                r["本人电话"],
                r["监护人姓名"],
                r["关系"],
                r["监护人电话"],
            ]
        )
    return out


TOP = ["序号", "学生信息", "", "", "", "", "", "", "学校标识码", "年级", "班级", "联系电话", "监护人", "", ""]
SUB = [
    "",
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "身份证件类型",
    "身份证件号",
    "学籍号",
    "",
    "",
    "",
    "",
    "姓名",
    "关系",
    "联系电话",
]
DOWN = [0, 8, 9, 10, 11]  # columns whose label is merged down over both header rows


def write_xlsx(cells: list[list[object]], path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "三年级学生名册"
    sheet.append(["东西湖区第一小学 2026 学年三年级学生花名册"] + [None] * (len(TOP) - 1))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TOP))
    sheet.append([t or None for t in TOP])
    sheet.append([s or None for s in SUB])
    for col in DOWN:
        sheet.merge_cells(start_row=2, start_column=col + 1, end_row=3, end_column=col + 1)
    sheet.merge_cells(start_row=2, start_column=2, end_row=2, end_column=8)
    sheet.merge_cells(start_row=2, start_column=13, end_row=2, end_column=15)
    for line in sheet.iter_rows(min_row=1, max_row=3):
        for cell in line:
            cell.font, cell.alignment = Font(bold=True), Alignment(horizontal="center", vertical="center")
    for row in cells:
        sheet.append(row)
    for line in sheet.iter_rows(min_row=4, min_col=7, max_col=8):
        for cell in line:
            cell.number_format = "@"
    book.save(path)


def write_csv(cells: list[list[object]], path: Path) -> None:
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["东西湖区第一小学 2026 学年三年级学生花名册"] + [""] * (len(TOP) - 1))
        writer.writerow(TOP)
        writer.writerow(SUB)
        for row in cells:
            writer.writerow(
                [f"{v.year}/{v.month}/{v.day}" if isinstance(v, datetime) else ("" if v is None else v) for v in row]
            )


if __name__ == "__main__":
    table = styled(pupils())
    write_xlsx(table, HERE / "roster.xlsx")
    write_csv(table, HERE / "roster-gb18030.csv")
    print("wrote", HERE / "roster.xlsx", HERE / "roster-gb18030.csv")

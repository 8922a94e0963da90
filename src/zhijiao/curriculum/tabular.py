"""The taxonomy as one table: the columns, reading a sheet (xlsx) or a CSV file, writing both.

One row per chapter or section, and one per knowledge point; every row repeats its edition and book, so a
sheet may hold several editions and may be sorted or filtered in Excel without losing anything:

===========  ==================================================================================
column       meaning
===========  ==================================================================================
版本代码      the edition's short code (``pep``, ``bu``, a bureau's own ``hz-2025``)
版本名称      人教版, 统编版 …
出版社        optional
学科          the subject, name or code (数学 or 14)
学段          小学 / 初中 / 高中 (or 2 / 3 / 4)
册次代码      the book's short code within the edition (``7a``, ``b1``)
册次          七年级上册, 必修第一册 …
年级          the grade the book is used in (七年级 or 21); it must belong to the 学段
学期          上, 下 or 全
章节编号      a chapter row: its number (``24``, ``24.1``); a knowledge-point row: where the point sits (any
             chapter or section of the same book, wherever its row is)
章节名称      a chapter row: its title; empty on a knowledge-point row
上级章节      a section's chapter number; empty for a chapter. It must come earlier in the file
知识点代码    a knowledge-point row: the point's code, unique in the platform (``M3-049``)
知识点        the point's name
别名          other names, separated by 、
先修知识点    codes of the points needed first, separated by 、 (in the file or already in the platform)
===========  ==================================================================================

A row with only the edition and book columns declares a book without chapters.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zhijiao.core.errors import ZhijiaoError
from zhijiao.curriculum.errors import CurriculumError

COLUMNS = (
    "版本代码",
    "版本名称",
    "出版社",
    "学科",
    "学段",
    "册次代码",
    "册次",
    "年级",
    "学期",
    "章节编号",
    "章节名称",
    "上级章节",
    "知识点代码",
    "知识点",
    "别名",
    "先修知识点",
)
REQUIRED_COLUMNS = COLUMNS[:12]  # the point columns may be left out of a file that has no points
SHEET = "课程体系"
HELP = (
    ("版本代码", "教材版本的简短代码，如 pep（人教版）、bu（统编版），本区自编教材可自定，如 hz-2025"),
    ("版本名称", "如 人教版、统编版"),
    ("出版社", "可不填"),
    ("学科", "学科名称或代码，如 数学 或 14"),
    ("学段", "小学、初中、高中（或 2、3、4）"),
    ("册次代码", "这一册在本版本里的简短代码，如 7a、b1"),
    ("册次", "如 七年级上册、必修第一册"),
    ("年级", "这一册所用的年级，如 七年级；须属于所填学段"),
    ("学期", "上、下 或 全"),
    ("章节编号", "章节行：章或节的编号，如 24、24.1；知识点行：知识点所在章节的编号"),
    ("章节名称", "章节行：章或节的名称；知识点行留空"),
    ("上级章节", "节所属的章的编号；章留空。上级章节须写在前面的行里"),
    ("知识点代码", "知识点行：知识点代码，全平台唯一，如 M3-049"),
    ("知识点", "知识点名称"),
    ("别名", "其他叫法，用顿号（、）分隔"),
    ("先修知识点", "学这个知识点之前要先学的知识点代码，用顿号分隔"),
)
LIST_SEPARATORS = re.compile(r"[、,，;；|]+")


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # the row number the user sees in Excel (the header is row 1)
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


def split_list(text: str) -> list[str]:
    """``勾股定理、毕达哥拉斯定理`` → two items (commas and semicolons also separate)."""
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turned “24” into 24.0
    return str(value).strip().replace("\u3000", " ")


def _rows(cells: Iterable[Sequence[object]]) -> list[SheetRow]:
    lines = iter(cells)
    header = [_text(c).replace(" ", "") for c in next(lines, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ZhijiaoError(CurriculumError.CURRICULUM_COLUMN_MISSING, field="、".join(missing))
    rows = []
    for number, line in enumerate(lines, start=2):
        values = {name: _text(line[i]) if i < len(line) else "" for i, name in enumerate(header) if name in COLUMNS}
        if any(values.values()):
            rows.append(SheetRow(number=number, cells=values))
    if not rows:
        raise ZhijiaoError(CurriculumError.CURRICULUM_FILE_EMPTY)
    return rows


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a CSV saved by Excel on a Chinese Windows
    except UnicodeDecodeError as exc:
        raise ZhijiaoError(CurriculumError.CURRICULUM_FILE_ENCODING) from exc


def read_rows(data: bytes, *, name: str) -> list[SheetRow]:
    """The data rows of a taxonomy file (``name`` says its kind: ``.xlsx`` or ``.csv``)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _rows(csv.reader(io.StringIO(_decode(data))))
    if suffix != ".xlsx":
        raise ZhijiaoError(CurriculumError.CURRICULUM_FILE_TYPE)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException … for a bad file
        raise ZhijiaoError(CurriculumError.CURRICULUM_FILE_UNREADABLE) from exc
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    try:
        return _rows(sheet.iter_rows(values_only=True))
    finally:
        book.close()


def write_csv(rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_xlsx(rows: Iterable[Sequence[str]]) -> bytes:
    """One sheet 课程体系 (every cell text, so 24.10 stays 24.10) and a sheet 填写说明 with the columns' meaning."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="2F6FAD")
    widths = (10, 10, 14, 8, 6, 8, 14, 8, 6, 9, 28, 9, 12, 18, 24, 24)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("填写说明")
    guide.append(("列", "填写说明"))
    for column, meaning in HELP:
        guide.append((column, meaning))
    guide.column_dimensions["A"].width = 12
    guide.column_dimensions["B"].width = 80
    for cell in guide["B"]:
        cell.alignment = Alignment(wrap_text=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

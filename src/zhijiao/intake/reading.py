"""Read a school's file into a frame of strings: xlsx/xls/ods through calamine, csv in UTF-8, UTF-8 with BOM
or GB18030.

Schools' files start with title rows, merge cells, split headers over two rows ("监护人" over "姓名 / 关系 /
电话") and name columns their own way. The reader finds the header row by how many known column names it
holds, unmerges merged cells (every cell of a merged range gets the range's value), joins a group header
with its sub-header when that is what names the column, and maps headers to the spec's keys.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import polars as pl
from python_calamine import CalamineWorkbook

from zhijiao.core.errors import ZhijiaoError
from zhijiao.intake.errors import IntakeError
from zhijiao.intake.spec import KindSpec

HEADER_SCAN_ROWS = 20
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_NOTE_RE = re.compile(r"[（(][^）)]*[）)]")
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def header_key(text: object) -> str:
    """A header reduced to what identifies it: half-width, no spaces, no notes in brackets, no * marks."""
    value = str(text or "").translate(_HALFWIDTH)
    value = _NOTE_RE.sub("", value)
    return re.sub(r"[\s*:：\u200b\ufeff]", "", value).upper()


@dataclass
class Table:
    frame: pl.DataFrame  # one Utf8 column per recognised field key, plus "_row" (spreadsheet row number)
    raw_headers: list[str]  # the file's header cells in order
    columns: dict[str, str]  # field key -> the file's header it came from
    ignored: list[str] = field(default_factory=list)  # headers the spec does not know
    encoding: str = ""
    mapping: dict[int, str] = field(default_factory=dict)  # raw column index -> field key
    report_columns: dict[int, str] = field(default_factory=dict)  # index -> 行号/问题说明 of an error report

    @property
    def is_report(self) -> bool:
        """The file is (a copy of) an error report: it has the report's 行号 column."""
        return REPORT_ROW in self.report_columns.values()

    def output_headers(self, spec: KindSpec) -> list[str]:
        """One unique header per raw column: the template's header where the column was recognised, so a
        report or a held row re-imports exactly (a "姓名" under "监护人" comes back as "监护人姓名")."""
        names: list[str] = []
        for index, header in enumerate(self.raw_headers):
            key = self.mapping.get(index)
            name = spec.field(key).header if key else (str(header).strip() or f"第{index + 1}列")
            while name in names or name in REPORT_HEADERS:
                name += "＊"
            names.append(name)
        return names


# The columns an error report adds: recognised on re-import (行号 tells which row of which report a line
# came from, to restore masked cells), never taken for data nor copied into the next report.
REPORT_ROW, REPORT_ISSUES = "行号", "问题说明"
REPORT_HEADERS = (REPORT_ROW, REPORT_ISSUES)


def _header_index(spec: KindSpec) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in spec.fields:
        for name in (*f.synonyms, f.header):  # the canonical header wins over a synonym of another field
            index[header_key(name)] = f.key
    for f in spec.fields:
        index[header_key(f.header)] = f.key
    return index


def _map_headers(spec: KindSpec, cells: list[str], above: list[str] | None) -> tuple[dict[int, str], list[str]]:
    """Column index -> field key, and the headers left unknown.

    A group label above a column ("监护人" over "联系电话") is tried first. Two columns that both name one
    field by the same header, with no group to tell them apart, are refused: guessing which is which would
    silently import, say, every guardian's phone as the pupil's own.
    """
    index = _header_index(spec)
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    taken: dict[str, str] = {}  # field key -> the plain header that took it
    for col, cell in enumerate(cells):
        plain = header_key(cell)
        if plain in REPORT_HEADERS:
            continue
        candidates = []
        if above and col < len(above) and above[col] and header_key(above[col]) != plain:
            candidates.append(header_key(above[col]) + plain)  # 监护人 + 姓名 = 监护人姓名
        candidates.append(plain)
        for candidate in candidates:
            key = index.get(candidate)
            if key and key not in taken:
                mapping[col] = key
                taken[key] = candidate
                break
        else:
            key = index.get(plain)
            if key and taken.get(key) == plain:
                raise ZhijiaoError(IntakeError.INTAKE_HEADER_AMBIGUOUS, detail=f"“{str(cell).strip()}”出现了不止一次")
            if str(cell).strip():
                ignored.append(str(cell).strip())
    return mapping, ignored


def _report_columns(cells: list[str]) -> dict[int, str]:
    return {col: header_key(cell) for col, cell in enumerate(cells) if header_key(cell) in REPORT_HEADERS}


def _score(spec: KindSpec, cells: list[str]) -> int:
    index = _header_index(spec)
    return len({index[k] for k in (header_key(c) for c in cells) if k in index})


def _find_header(spec: KindSpec, rows: list[list[str]]) -> int:
    scores = [_score(spec, row) for row in rows[:HEADER_SCAN_ROWS]]
    best = max(range(len(scores)), key=lambda i: (scores[i], -i), default=0)
    if not scores or scores[best] < 2:
        raise ZhijiaoError(IntakeError.INTAKE_HEADER_NOT_FOUND, detail="、".join(spec.headers[:6]) + "…")
    return best


def _combine(top: list[str] | None, sub: list[str]) -> tuple[list[str], list[str] | None]:
    """A header over two rows as one row of names and one of group labels.

    A sheet saved as CSV keeps a merged cell's text in its first cell only: a label merged down over both
    rows ("序号", "姓名") is blank in the lower row, and a group merged across ("监护人" over "姓名 / 关系 /
    联系电话") is blank after its first column. So a blank lower cell takes the upper one, and a group label
    carries right over the columns below it until the next label. A title row (one cell of text) is no group.
    """
    if top is None:
        return sub, None
    width = max(len(top), len(sub))
    top = top + [""] * (width - len(top))
    sub = sub + [""] * (width - len(sub))
    if sum(1 for t in top if str(t).strip()) < 2:  # a title, not a header row
        return sub, top
    cells = [s if str(s).strip() else t for t, s in zip(top, sub, strict=True)]
    groups: list[str] = []
    current = ""
    for t, s in zip(top, sub, strict=True):
        if not str(s).strip():  # a label merged down: no group, and it ends the one before
            current = ""
            groups.append("")
            continue
        if str(t).strip():
            current = str(t)
        groups.append(current)
    return cells, groups


def _locate_header(spec: KindSpec, head: list[list[str]]) -> tuple[int, list[str], list[str] | None]:
    """The last header row, its column names and the group labels above them (None for a one-row header).

    The row naming most fields is the header, read with the row above as its groups; when the row below
    completes it (a two-row header saved as CSV: "监护人" over "姓名 / 关系 / 联系电话") and together they name
    more fields than the row alone does, the header is the two rows.
    """
    best = _find_header(spec, head)
    if best + 1 < len(head):
        cells, groups = _combine(head[best], head[best + 1])
        try:
            if len(_map_headers(spec, cells, groups)[0]) > _score(spec, head[best]):
                return best + 1, cells, groups
        except ZhijiaoError:
            pass
    cells, groups = _combine(head[best - 1] if best else None, head[best])
    return best, cells, groups


def _require_columns(spec: KindSpec, columns: dict[str, str]) -> None:
    derivable = {"birth_date", "sex"} if "id_number" in columns else set()  # read from the ID number
    missing = [f.header for f in spec.fields if f.required and f.key not in columns and f.key not in derivable]
    if missing:
        raise ZhijiaoError(IntakeError.INTAKE_COLUMNS_MISSING, detail="、".join(missing))


def read_table(path: Path, spec: KindSpec) -> Table:
    """Read ``path`` (xlsx/xls/ods or csv) into a :class:`Table` for ``spec``; raise ZhijiaoError if unusable."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path, spec)
    return _read_csv(path, spec)


# ------------------------------------------------------------------------------------------------ csv
def decode_text(data: bytes) -> tuple[str, str]:
    """A csv file's text and the encoding it was in (UTF-8 with or without BOM, else GB18030)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8（带BOM）"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as exc:
        raise ZhijiaoError(IntakeError.INTAKE_ENCODING) from exc


def _read_csv(path: Path, spec: KindSpec) -> Table:
    text, encoding = decode_text(path.read_bytes())
    head_lines = text.split("\n", HEADER_SCAN_ROWS + 1)[:HEADER_SCAN_ROWS]
    head = [row for row in csv.reader(io.StringIO("\n".join(head_lines)))]
    header_at, cells, groups = _locate_header(spec, head)
    mapping, ignored = _map_headers(spec, cells, groups)
    columns = {key: cells[col] for col, key in mapping.items()}
    _require_columns(spec, columns)
    body = text.split("\n", header_at + 1)[header_at + 1] if text.count("\n") > header_at else ""
    names = [f"c{i}" for i in range(len(cells))]
    frame = (
        pl.read_csv(
            io.BytesIO(body.encode("utf-8")),
            has_header=False,
            new_columns=names,
            schema={n: pl.String for n in names},
            truncate_ragged_lines=True,
            quote_char='"',
        )
        if body.strip()
        else pl.DataFrame(schema={n: pl.String for n in names})
    )
    frame = frame.with_row_index("_row", offset=header_at + 2).with_columns(pl.col("_row").cast(pl.Int64))
    return _finish(frame, mapping, cells, columns, ignored, encoding)


def _finish(
    frame: pl.DataFrame,
    mapping: dict[int, str],
    cells: list[str],
    columns: dict[str, str],
    ignored: list[str],
    encoding: str,
) -> Table:
    """Keep the raw columns (c0…), drop rows with no value at all, and add one column per field key."""
    report = _report_columns(cells)
    raw = [c for c in frame.columns if c.startswith("c") and int(c[1:]) not in report]
    if raw:
        blank = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in raw])
        frame = frame.filter(~blank)
    frame = frame.with_columns([pl.col(f"c{col}").alias(key) for col, key in mapping.items()])
    for col, name in report.items():
        if name == REPORT_ROW and f"c{col}" in frame.columns:
            frame = frame.with_columns(_report_row=pl.col(f"c{col}").str.strip_chars().cast(pl.Int64, strict=False))
    frame = frame.drop([f"c{col}" for col in report if f"c{col}" in frame.columns])
    return Table(frame, [str(c) for c in cells], columns, ignored, encoding, mapping, report)


# ---------------------------------------------------------------------------------------------- excel
def cell_text(value: object) -> str | None:
    """A spreadsheet cell as text the way every import reads it (None for an empty cell)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)  # keeps 4.2011220160305e+17 recognisable as an ID number Excel ruined
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_excel(path: Path, spec: KindSpec) -> Table:
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged or encrypted files
        raise ZhijiaoError(IntakeError.INTAKE_FILE_UNREADABLE, detail=str(exc)[:120]) from exc
    best: tuple[int, int, list[list[Any]], Any] | None = None
    for meta in book.sheets_metadata:
        if str(meta.visible) not in ("SheetVisibleEnum.Visible", "Visible"):
            continue
        sheet = book.get_sheet_by_name(meta.name)
        rows = sheet.to_python(skip_empty_area=False)
        head = [[cell_text(v) or "" for v in row] for row in rows[:HEADER_SCAN_ROWS]]
        score = max((_score(spec, r) for r in head), default=0)
        if best is None or score > best[0]:
            best = (score, len(rows), rows, sheet)
    if best is None or best[0] < 2:
        raise ZhijiaoError(IntakeError.INTAKE_HEADER_NOT_FOUND, detail="、".join(spec.headers[:6]) + "…")
    _, _, rows, sheet = best
    _unmerge(rows, getattr(sheet, "merged_cell_ranges", None) or [], getattr(sheet, "start", (0, 0)) or (0, 0))
    width = max((len(r) for r in rows), default=0)
    head = [[cell_text(v) or "" for v in row] + [""] * (width - len(row)) for row in rows[:HEADER_SCAN_ROWS]]
    header_at, cells, groups = _locate_header(spec, head)
    mapping, ignored = _map_headers(spec, cells, groups)
    columns = {key: cells[col] for col, key in mapping.items()}
    _require_columns(spec, columns)
    body = rows[header_at + 1 :]
    data = {f"c{col}": [cell_text(row[col]) if col < len(row) else None for row in body] for col in range(width)}
    frame = pl.DataFrame(data, schema={f"c{col}": pl.String for col in range(width)})
    frame = frame.with_row_index("_row", offset=header_at + 2).with_columns(pl.col("_row").cast(pl.Int64))
    return _finish(frame, mapping, cells, columns, ignored, "Excel")


def _unmerge(rows: list[list[Any]], ranges: list, start: tuple[int, int]) -> None:
    """Give every cell of a merged range the value of its top-left cell (in place)."""
    r0, c0 = start
    for (top, left), (bottom, right) in ranges:
        top, bottom, left, right = top - r0, bottom - r0, left - c0, right - c0
        if top < 0 or top >= len(rows) or left < 0:
            continue
        value = rows[top][left] if left < len(rows[top]) else None
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= right:
                row.extend([""] * (right + 1 - len(row)))
            for c in range(left, right + 1):
                row[c] = value

"""A small, fast xlsx writer for frames: the sheet's XML is built by Polars string expressions and zipped.

General-purpose writers spend ~10 µs of Python per cell; an error report of a million-row file has a
million cells. This writer supports what reports need — text cells, a bold header, fills for flagged
cells, column widths, a frozen header — and nothing else.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl

# style ids in STYLES: 0 plain text, 1 header, 2 error fill, 3 warning fill, 4 wrapped text
PLAIN, HEADER, ERROR, WARNING, WRAP = 0, 1, 2, 3, 4

STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>
<fills count="5"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFFFEB9C"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5">
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="49" fontId="1" fillId="2" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1"/>
<xf numFmtId="49" fontId="0" fillId="3" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"/>
<xf numFmtId="49" fontId="0" fillId="4" borderId="0" xfId="0" applyNumberFormat="1" applyFill="1"/>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">
<alignment wrapText="1" vertical="top"/></xf>
</cellXfs><cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""


def _workbook(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{_escape(title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _escape_expr(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        .str.replace_all(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "")
    )


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def write_sheet(
    path: Path,
    *,
    title: str,
    headers: list[str],
    frame: pl.DataFrame,
    styles: pl.DataFrame | None = None,
    widths: list[float] | None = None,
) -> Path:
    """Write ``frame`` (one column per header, any type; rendered as text) under a bold header row.

    ``styles`` (optional) has one Int8 column per frame column (same names) with a style id per cell.
    """
    columns = frame.columns
    cells = []
    for index, name in enumerate(columns):
        letter = column_letter(index)
        value = _escape_expr(pl.col(name).cast(pl.String).fill_null(""))
        style = pl.lit(PLAIN, dtype=pl.Int8)
        if styles is not None and name in styles.columns:
            style = pl.col(f"_s_{name}").fill_null(PLAIN)
        cells.append(
            pl.concat_str(
                [
                    pl.lit(f'<c r="{letter}'),
                    pl.col("_line").cast(pl.String),
                    pl.lit('" t="inlineStr" s="'),
                    style.cast(pl.String),
                    pl.lit('"><is><t xml:space="preserve">'),
                    value,
                    pl.lit("</t></is></c>"),
                ]
            )
        )
    body = frame.with_row_index("_line", offset=2)
    if styles is not None:
        body = pl.concat([body, styles.rename({c: f"_s_{c}" for c in styles.columns})], how="horizontal")
    rows = body.select(
        pl.concat_str([pl.lit('<row r="'), pl.col("_line").cast(pl.String), pl.lit('">'), *cells, pl.lit("</row>")])
    ).to_series()
    head = "".join(
        f'<c r="{column_letter(i)}1" t="inlineStr" s="{HEADER}"><is><t>{_escape(h)}</t></is></c>'
        for i, h in enumerate(headers)
    )
    cols = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths or [])
    )
    sheet_head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + f'<sheetData><row r="1">{head}</row>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", _workbook(title))
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/styles.xml", STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(sheet_head.encode())
            for offset in range(0, rows.len(), 20000):
                sheet.write("".join(rows.slice(offset, 20000).to_list()).encode())
            sheet.write(b"</sheetData></worksheet>")
    return path

"""A small, fast xlsx writer for frames: the sheet's XML is built by Polars string expressions and zipped.

General-purpose writers spend ~10 µs of Python per cell; an error report of a million-row file has a
million cells. This writer supports what reports need — text cells, a bold header, fills for flagged
cells, cell comments (批注), column widths, a frozen header — and nothing else.

Comments are two parts, as Excel writes them: ``xl/comments1.xml`` holds the text (what openpyxl, WPS and
LibreOffice read) and a legacy VML drawing holds the note boxes Excel needs to show them. A report keeps at
most ``MAX_COMMENTS`` of them (the 问题说明 column has every reason anyway): a note is a drawing shape, and
Excel opens a sheet of hundreds of thousands of them slowly.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl

# style ids in STYLES: 0 plain text, 1 header, 2 error fill, 3 warning fill, 4 wrapped text
PLAIN, HEADER, ERROR, WARNING, WRAP = 0, 1, 2, 3, 4
MAX_COMMENTS = 20000
COMMENT_AUTHOR = "智教"

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
COMMENT_TYPES = """<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>
<Override PartName="/xl/comments1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>
</Types>"""

SHEET_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../comments1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/>
</Relationships>"""

VML_HEAD = """<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" \
xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/>\
</o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">\
<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>"""

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
    comments: pl.DataFrame | None = None,
) -> Path:
    """Write ``frame`` (one column per header, any type; rendered as text) under a bold header row.

    ``styles`` (optional) has one Int8 column per frame column (same names) with a style id per cell.
    ``comments`` (optional): ``line`` (1-based sheet row), ``column`` (0-based) and ``text`` per note.
    """
    comments = comments.head(MAX_COMMENTS) if comments is not None and comments.height else None
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
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/></sheetView></sheetViews>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + f'<sheetData><row r="1">{head}</row>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        content_types = CONTENT_TYPES
        if comments is not None:
            content_types = content_types.replace("</Types>", COMMENT_TYPES)
            book.writestr("xl/worksheets/_rels/sheet1.xml.rels", SHEET_RELS)
            _write_comments(book, comments)
        book.writestr("[Content_Types].xml", content_types)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", _workbook(title))
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/styles.xml", STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(sheet_head.encode())
            for offset in range(0, rows.len(), 20000):
                sheet.write("".join(rows.slice(offset, 20000).to_list()).encode())
            sheet.write(b"</sheetData>")
            if comments is not None:
                sheet.write(b'<legacyDrawing r:id="rId2"/>')
            sheet.write(b"</worksheet>")
    return path


def _write_comments(book: zipfile.ZipFile, comments: pl.DataFrame) -> None:
    """The comments part (the text) and its VML drawing (the note boxes), built by Polars like the sheet."""
    letters = pl.col("column").map_elements(column_letter, return_dtype=pl.String)
    text = _escape_expr(pl.col("text").cast(pl.String).fill_null(""))
    entries = comments.select(
        pl.concat_str(
            [
                pl.lit('<comment ref="'),
                letters,
                pl.col("line").cast(pl.String),
                pl.lit('" authorId="0"><text><r><rPr><b/><sz val="9"/><rFont val="宋体"/></rPr>'),
                pl.lit(f'<t xml:space="preserve">{COMMENT_AUTHOR}:\n</t></r><r><rPr><sz val="9"/><rFont val="宋体"/>'),
                pl.lit('</rPr><t xml:space="preserve">'),
                text,
                pl.lit("</t></r></text></comment>"),
            ]
        )
    ).to_series()
    shapes = (
        comments.with_row_index("_n", offset=1025)
        .select(
            pl.concat_str(
                [
                    pl.lit('<v:shape id="_x0000_s'),
                    pl.col("_n").cast(pl.String),
                    pl.lit(
                        '" type="#_x0000_t202" style="position:absolute;margin-left:80pt;margin-top:2pt;width:180pt;'
                        'height:60pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
                        '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
                        '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
                        '</div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
                        "<x:AutoFill>False</x:AutoFill><x:Row>"
                    ),
                    (pl.col("line") - 1).cast(pl.String),
                    pl.lit("</x:Row><x:Column>"),
                    pl.col("column").cast(pl.String),
                    pl.lit("</x:Column></x:ClientData></v:shape>"),
                ]
            )
        )
        .to_series()
    )
    book.writestr(
        "xl/comments1.xml",
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<authors><author>{COMMENT_AUTHOR}</author></authors><commentList>"
        + "".join(entries.to_list())
        + "</commentList></comments>",
    )
    book.writestr("xl/drawings/vmlDrawing1.vml", VML_HEAD + "".join(shapes.to_list()) + "</xml>")

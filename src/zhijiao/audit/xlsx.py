"""A streaming xlsx writer: one sheet of strings, written into a zip as the rows arrive.

xlsxwriter and openpyxl finish the zip only when the workbook closes, so a large export would make the
browser wait for the whole file. Here the sheet is one zip member written row by row (inline strings, no
shared-string table), and each chunk the zip produces goes out at once: memory stays flat and the download
starts immediately. Enough of SpreadsheetML for Excel, WPS and openpyxl: a bold header row, column widths,
a frozen header.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

MAX_ROWS = 1_048_576  # Excel's sheet limit, the header row included
_FLUSH_EVERY = 500
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_DECL}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF9"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


class _Sink(io.RawIOBase):
    """A write-only, unseekable file: zipfile then writes data descriptors and never seeks back."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _parts(sheet: str) -> dict[str, str]:
    return {
        "[Content_Types].xml": (
            f'{_DECL}<Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'{_DECL}<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{_DECL}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f'<sheets><sheet name="{_text(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_DECL}<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ),
        "xl/styles.xml": _STYLES,
    }


def xlsx_stream(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, sheet: str = "Sheet1", widths: Sequence[int] = ()
) -> Iterator[bytes]:
    """The bytes of an xlsx workbook with one sheet: ``header`` in bold, then ``rows`` (strings, never formulas),
    at most :data:`MAX_ROWS` in all. A generator: each chunk is ready to send."""
    columns = [_column(i) for i in range(len(header))]
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as book:
        for name, xml in _parts(sheet).items():
            book.writestr(name, xml)
        yield sink.drain()
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            cols = "".join(
                f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1)
            )
            head = "".join(
                f'<c r="{c}1" t="inlineStr" s="1"><is><t>{_text(v)}</t></is></c>'
                for c, v in zip(columns, header, strict=True)
            )
            part.write(
                (
                    f'{_DECL}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
                    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                    "</sheetView></sheetViews>"
                    f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
                    f'<row r="1">{head}</row>'
                ).encode()
            )
            for number, row in enumerate(rows, start=2):
                if number > MAX_ROWS:
                    break
                cells = "".join(
                    f'<c r="{c}{number}" t="inlineStr"><is><t xml:space="preserve">{_text(v)}</t></is></c>'
                    for c, v in zip(columns, row, strict=False)
                    if v
                )
                part.write(f'<row r="{number}">{cells}</row>'.encode())
                if number % _FLUSH_EVERY == 0:
                    yield sink.drain()
            part.write(b"</sheetData></worksheet>")
    yield sink.drain()

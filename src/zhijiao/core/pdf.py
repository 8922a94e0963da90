"""The platform's one PDF writer: A4 pages of Chinese text, lines, boxes and circles, with no dependency.

Two levels, one file format:

- :class:`Page` places things where the caller says (a certificate, a form): ``text`` at a baseline, left, centred or
  right-aligned, in any colour, optionally bold; ``line``, ``rect`` and ``circle``. Coordinates are PDF points
  (1/72 inch) from the page's top-left corner, y downwards, as a designer measures them. :func:`pdf` writes pages.
- :func:`document` flows blocks over as many pages as they need (an archive, a report): :class:`Line` (headings,
  key–value lines, wrapped paragraphs, a rule under) and :class:`Table` (columns of wrapped cells, rules between rows,
  the header repeated on a new page), inside :data:`MARGIN`, every page with a footer and “第 n 页 / 共 N 页”.

Font: Chinese needs a CJK font, and this writer takes it from the PDF standard's predefined ones rather than embedding
a file: ``STSong-Light`` with the ``UniGB-UCS2-H`` encoding (Adobe-GB1), which every conforming reader (Acrobat,
pdf.js, PDFium, Preview) maps to a Chinese typeface it has; poppler (``pdftoppm``, the resource previews) takes the
system's through fontconfig — Debian's fonts-noto-cjk, which CI installs. Nothing is looked up on the server and the
files stay small, with text that can be searched, copied and read aloud. Widths are the font's declared ones: a
printable ASCII character half an em, everything else a full em (:func:`text_width`), so centring and wrapping agree
with what the reader draws. Text is written as UCS-2 code units: characters outside the Basic Multilingual Plane
become “?”. Bold is a fake (the glyphs stroked as well as filled), keeping to the one predefined font.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

PAGE_W, PAGE_H = 595, 842  # A4 in points
MARGIN = 56
BODY = 10.5
ASCENT = 0.88  # the font's ascent, in ems (FontDescriptor below)

RGB = tuple[int, int, int]  # 0–255, as Pillow and CSS write colours
BLACK: RGB = (0, 0, 0)
RULE: RGB = (153, 166, 191)  # the archive's section rules
FOOTER: RGB = (115, 115, 115)

Align = Literal["left", "centre", "right"]


def _char_width(ch: str) -> float:
    # CIDs 1–95 (printable ASCII under UniGB-UCS2-H) are declared 500 wide, all others 1000; a character outside the
    # BMP is written as “?”.
    code = ord(ch)
    return 0.5 if 0x20 <= code < 0x7F or code > 0xFFFF else 1.0


def text_width(text: str, size: float) -> float:
    """The width in points of ``text`` at ``size`` as a reader draws it."""
    return size * sum(_char_width(ch) for ch in text)


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break text into lines that fit ``width`` points, character by character (Chinese has no spaces to break at);
    each newline starts a new line."""
    out: list[str] = []
    for para in (text or "").split("\n"):
        line, used = "", 0.0
        for ch in para:
            w = size * _char_width(ch)
            if line and used + w > width:
                out.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        out.append(line)
    return out


def _hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" if ord(ch) <= 0xFFFF else "003F" for ch in text)


def _colour(rgb: RGB) -> str:
    return " ".join(f"{c / 255:.3g}" for c in rgb)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class Page:
    """One page's drawing, in points from the top-left corner."""

    def __init__(self, width: float = PAGE_W, height: float = PAGE_H) -> None:
        self.width, self.height = width, height
        self.ops: list[str] = []

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = BODY,
        colour: RGB = BLACK,
        bold: bool = False,
        align: Align = "left",
    ) -> float:
        """Write one line of ``text`` with its baseline at ``y``; ``x`` is its left edge, centre or right edge by
        ``align``. Returns its width."""
        width = text_width(text, size)
        if not text:
            return width
        left = x - width / 2 if align == "centre" else x - width if align == "right" else x
        c = _colour(colour)
        mode = f"{c} RG 2 Tr 0.3 w" if bold else "0 Tr"
        self.ops.append(
            f"q {c} rg BT /F1 {_n(size)} Tf {mode} {_n(left)} {_n(self.height - y)} Td <{_hex(text)}> Tj ET Q"
        )
        return width

    def line(self, x1: float, y1: float, x2: float, y2: float, *, colour: RGB = BLACK, width: float = 1) -> None:
        h = self.height
        self.ops.append(f"q {_colour(colour)} RG {_n(width)} w {_n(x1)} {_n(h - y1)} m {_n(x2)} {_n(h - y2)} l S Q")

    def rect(self, x1: float, y1: float, x2: float, y2: float, *, colour: RGB = BLACK, width: float = 1) -> None:
        """The outline of a box, its stroke centred on the edges (as Pillow's ``rectangle`` draws it inside)."""
        self.ops.append(
            f"q {_colour(colour)} RG {_n(width)} w {_n(x1)} {_n(self.height - y2)} {_n(x2 - x1)} {_n(y2 - y1)} re S Q"
        )

    def circle(self, cx: float, cy: float, r: float, *, colour: RGB = BLACK, width: float = 1) -> None:
        """The outline of a circle: four Bézier quarters."""
        k = 0.5523 * r
        y = self.height - cy
        parts = [
            f"{_n(cx + r)} {_n(y)} m",
            f"{_n(cx + r)} {_n(y + k)} {_n(cx + k)} {_n(y + r)} {_n(cx)} {_n(y + r)} c",
            f"{_n(cx - k)} {_n(y + r)} {_n(cx - r)} {_n(y + k)} {_n(cx - r)} {_n(y)} c",
            f"{_n(cx - r)} {_n(y - k)} {_n(cx - k)} {_n(y - r)} {_n(cx)} {_n(y - r)} c",
            f"{_n(cx + k)} {_n(y - r)} {_n(cx + r)} {_n(y - k)} {_n(cx + r)} {_n(y)} c",
        ]
        self.ops.append(f"q {_colour(colour)} RG {_n(width)} w {' '.join(parts)} S Q")


# --- flowing documents ------------------------------------------------------------------------------------------------


@dataclass
class Line:
    """A heading, a key–value line or a paragraph, wrapped to the text width (less ``indent``)."""

    text: str
    size: float = BODY
    bold: bool = False
    indent: float = 0.0
    gap_before: float = 0.0
    rule: bool = False  # a rule across the text width under it (a section heading)


@dataclass
class Table:
    """Rows of cells under an optional header row; ``widths`` are the columns' shares of the text width."""

    rows: Sequence[Sequence[str]]
    header: Sequence[str] = ()
    widths: Sequence[float] = ()
    size: float = 9.5
    gap_before: float = 4.0
    rule_colour: RGB = (203, 213, 225)
    columns: int = field(init=False)

    def __post_init__(self) -> None:
        self.columns = max([len(self.header), *(len(r) for r in self.rows)], default=0)


Block = Line | Table


class _Flow:
    """Places blocks top to bottom, starting a new page when the next line would run into the footer."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.page = Page()
        self.y: float = MARGIN  # the last baseline, from the top
        self.width = PAGE_W - 2 * MARGIN
        self.bottom = PAGE_H - MARGIN - 20

    def new_page(self) -> None:
        self.pages.append(self.page)
        self.page = Page()
        self.y = MARGIN

    def room(self, step: float) -> bool:
        return self.y + step <= self.bottom

    def line(self, line: Line) -> None:
        chunks = wrap(line.text, line.size, self.width - line.indent) if line.text else [""]
        for i, chunk in enumerate(chunks):
            step = line.size * 1.55 + (line.gap_before if i == 0 else 0)
            if not self.room(step):
                self.new_page()
            self.y += step
            self.page.text(MARGIN + line.indent, self.y, chunk, size=line.size, bold=line.bold)
        if line.rule:
            self.y += 4
            self.page.line(MARGIN, self.y, PAGE_W - MARGIN, self.y, colour=RULE, width=0.8)

    def table(self, table: Table) -> None:
        if not table.columns:
            return
        shares = list(table.widths) or [1.0] * table.columns
        shares = (shares + [shares[-1]] * table.columns)[: table.columns]
        pad = 4.0
        xs, x = [], float(MARGIN)
        for share in shares:
            xs.append(x)
            x += self.width * share / sum(shares)
        xs.append(float(PAGE_W - MARGIN))
        lead = table.size * 1.45

        def cells(row: Sequence[str]) -> list[list[str]]:
            return [
                wrap(str(row[c]) if c < len(row) else "", table.size, xs[c + 1] - xs[c] - 2 * pad)
                for c in range(table.columns)
            ]

        def draw(row: Sequence[str], *, bold: bool) -> None:
            wrapped = cells(row)
            height = max(len(w) for w in wrapped) * lead + pad
            if not self.room(height):
                self.new_page()
                self.page.line(MARGIN, self.y, PAGE_W - MARGIN, self.y, colour=table.rule_colour, width=0.6)
                if table.header and not bold:
                    draw(table.header, bold=True)
            top = self.y
            for c, lines in enumerate(wrapped):
                for i, text in enumerate(lines):
                    self.page.text(xs[c] + pad, top + (i + 1) * lead - pad / 2, text, size=table.size, bold=bold)
            self.y = top + height
            self.page.line(MARGIN, self.y, PAGE_W - MARGIN, self.y, colour=table.rule_colour, width=0.6)

        if not self.room(table.gap_before + table.size * 3):
            self.new_page()
        self.y += table.gap_before
        self.page.line(MARGIN, self.y, PAGE_W - MARGIN, self.y, colour=table.rule_colour, width=0.6)
        if table.header:
            draw(table.header, bold=True)
        for row in table.rows:
            draw(row, bold=False)


def document(blocks: Sequence[Block], *, title: str, footer: str = "") -> bytes:
    """Lay the blocks out on as many A4 pages as they need; each page carries ``footer`` and its number."""
    flow = _Flow()
    for block in blocks:
        if isinstance(block, Table):
            flow.table(block)
        else:
            flow.line(block)
    flow.new_page()
    total = len(flow.pages)
    for number, page in enumerate(flow.pages, start=1):
        tail = f"{footer}  第 {number} 页 / 共 {total} 页" if footer else f"第 {number} 页 / 共 {total} 页"
        page.text(MARGIN, PAGE_H - 30, tail, size=8, colour=FOOTER)
    return pdf(flow.pages, title=title)


# --- the file ---------------------------------------------------------------------------------------------------------


def pdf(pages: Sequence[Page], *, title: str) -> bytes:
    """The PDF file of ``pages`` (at least one) with ``title`` in its document information."""
    objects: list[bytes] = []
    n = len(pages)
    # 1 catalog, 2 pages, 3 font (Type0), 4 descendant, 5 descriptor, 6 info, then per page: page, contents
    kids = " ".join(f"{7 + 2 * i} 0 R" for i in range(n))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>"
    )
    objects.append(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R "
        b"/DW 1000 /W [1 95 500] >>"
    )
    objects.append(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    objects.append(f"<< /Title <FEFF{_hex(title)}> /Producer (Zhijiao) >>".encode())
    for i, page in enumerate(pages):
        stream = "\n".join(page.ops).encode("ascii")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_n(page.width)} {_n(page.height)}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {8 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()

"""The platform's one PDF writer: A4 pages of Chinese text, lines, boxes and circles, with no dependency.

Two levels, one file format:

- :class:`Page` places things where the caller says (a certificate, a form): ``text`` at a baseline, left, centred or
  right-aligned, in any colour, optionally bold; ``line``, ``rect`` and ``circle``. Coordinates are PDF points
  (1/72 inch) from the page's top-left corner, y downwards, as a designer measures them. :func:`pdf` writes pages.
- :func:`document` flows blocks over as many pages as they need (an archive, a report): :class:`Line` (headings,
  key–value lines, wrapped paragraphs, a rule under) and :class:`Table` (columns of wrapped cells, rules between rows,
  the header repeated on a new page), inside :data:`MARGIN`, every page with a footer and “第 n 页 / 共 N 页”.

Fonts: Chinese needs a CJK font, and this writer takes it from the PDF standard's predefined ones rather than embedding
a file: ``STSong-Light`` with the ``UniGB-UCS2-H`` encoding (Adobe-GB1), which every conforming reader (Acrobat, pdf.js,
PDFium, Preview) maps to a Chinese typeface it has; poppler (``pdftoppm``, the resource previews) takes the system's
through fontconfig — Debian's fonts-noto-cjk, which CI installs. Its Latin letters and digits are fixed half-width,
which reads gappy (“72. 0”), so each line is cut into runs (:func:`segments`) as mature writers do: printable ASCII in
the standard-14 ``Helvetica`` (``Helvetica-Bold`` for bold), everything else in STSong-Light. Nothing is embedded or
looked up on the server and the files stay small, with text that can be searched, copied and read aloud. Widths are the
fonts' own: Helvetica's from Adobe's AFM files (:data:`HELVETICA`), written into the file as well, and a full em for
every other character, as STSong-Light declares them (:func:`text_width`); each run is measured in its font, so
wrapping, centring and right alignment agree with what the reader draws. Chinese text is written as UCS-2 code units:
characters outside the Basic Multilingual Plane become “?”. STSong-Light has no bold: its glyphs are stroked as well as
filled.
"""

from __future__ import annotations

import io
import re
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


# Widths of the 95 printable ASCII characters (32–126) in thousandths of an em, from Adobe's Core14 AFM files
# (Helvetica.afm and Helvetica-Bold.afm, Adobe Font Metrics 4.1, 1999), at their WinAnsiEncoding codes: 39 is
# quotesingle and 96 grave (the AFMs' StandardEncoding has quoteright and quoteleft there).
HELVETICA = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # sp ! " # $ % & ' ( ) * + , - . /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0–9 : ; < = > ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @ A–O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P–Z [ \ ] ^ _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # ` a–o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p–z { | } ~
)  # fmt: skip
HELVETICA_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
)  # fmt: skip


def _latin(ch: str) -> bool:
    """Whether ``ch`` is drawn in Helvetica (printable ASCII) rather than STSong-Light."""
    return " " <= ch <= "~"


def _bmp(text: str) -> str:
    # UCS-2 has no room for a character outside the Basic Multilingual Plane: it is written as “?”
    return "".join(ch if ord(ch) <= 0xFFFF else "?" for ch in text)


def _char_width(ch: str, bold: bool = False) -> float:
    """A character's width in ems: printable ASCII at Helvetica's (or Helvetica-Bold's) width, everything else a full
    em (STSong-Light declares its CJK, full-width punctuation and symbols 1000 wide)."""
    if ord(ch) > 0xFFFF:
        ch = "?"
    if _latin(ch):
        return (HELVETICA_BOLD if bold else HELVETICA)[ord(ch) - 32] / 1000
    return 1.0


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width in points of ``text`` at ``size`` as a reader draws it."""
    return size * sum(_char_width(ch, bold) for ch in text)


def segments(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into runs of one font: ``(True, run)`` for printable ASCII (Helvetica), ``(False, run)`` for the
    rest (STSong-Light); characters outside the BMP become “?”."""
    out: list[tuple[bool, str]] = []
    for ch in _bmp(text):
        latin = _latin(ch)
        if out and out[-1][0] == latin:
            out[-1] = (latin, out[-1][1] + ch)
        else:
            out.append((latin, ch))
    return out


_NO_START = frozenset("，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}")  # closing punctuation, which no line starts with
_TOKEN = re.compile(r"[!-~]+| |.", re.DOTALL)  # a Latin word, a space or any other single character


def wrap(text: str, size: float, width: float, *, bold: bool = False) -> list[str]:
    """Break text into lines that fit ``width`` points; each newline starts a new line. Chinese breaks between any two
    characters, except before closing punctuation (“，。）” and the like); a Latin word (a run of printable ASCII
    without spaces) is kept whole unless it is wider than a line by itself, and a space where a line breaks is not
    drawn."""
    out: list[str] = []
    for para in (text or "").split("\n"):
        line, used, last = "", 0.0, ""  # ``last``: the word or character the line ends with
        for token in _TOKEN.findall(para):
            w = text_width(token, size, bold=bold)
            if line and used + w > width:
                if token.isspace():  # the break is at a space
                    out.append(line.rstrip(" "))
                    line, used = "", 0.0
                    continue
                carry = ""
                if token in _NO_START and last.strip() and len(line) > len(last):
                    carry = last  # “，” or “）” does not start a line: the word or character before it comes down too
                out.append(line[: len(line) - len(carry)].rstrip(" "))
                line, used = carry, text_width(carry, size, bold=bold)
            if len(token) > 1 and w > width:  # a word longer than a line: broken by character
                for ch in token:
                    cw = size * _char_width(ch, bold)
                    if line and used + cw > width:
                        out.append(line)
                        line, used = "", 0.0
                    line += ch
                    used += cw
                last = ""
                continue
            line += token
            used += w
            last = token
        out.append(line)
    return out


def _hex(text: str) -> str:
    """UCS-2 code units, as UniGB-UCS2-H and a text string with a byte-order mark take them."""
    return "".join(f"{ord(ch):04X}" for ch in _bmp(text))


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
        width = text_width(text, size, bold=bold)
        if not text:
            return width
        left = x - width / 2 if align == "centre" else x - width if align == "right" else x
        c = _colour(colour)
        # one text object: each run advances the pen by its font's widths, which are the ones measured above
        runs = []
        for latin, run in segments(text):
            if latin:
                runs.append(f"/F{3 if bold else 2} {_n(size)} Tf 0 Tr <{run.encode('ascii').hex().upper()}> Tj")
            else:  # STSong-Light has no bold: its glyphs are stroked as well as filled
                runs.append(f"/F1 {_n(size)} Tf {2 if bold else 0} Tr <{_hex(run)}> Tj")
        stroke = f" {c} RG 0.3 w" if bold else ""
        self.ops.append(f"q {c} rg{stroke} BT {_n(left)} {_n(self.height - y)} Td {' '.join(runs)} ET Q")
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
        chunks = wrap(line.text, line.size, self.width - line.indent, bold=line.bold) if line.text else [""]
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

        def cells(row: Sequence[str], *, bold: bool) -> list[list[str]]:
            return [
                wrap(str(row[c]) if c < len(row) else "", table.size, xs[c + 1] - xs[c] - 2 * pad, bold=bold)
                for c in range(table.columns)
            ]

        def draw(row: Sequence[str], *, bold: bool) -> None:
            wrapped = cells(row, bold=bold)
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
    # 1 catalog, 2 pages, 3 font (Type0), 4 descendant, 5 descriptor, 6 info, 7 Helvetica, 8 Helvetica-Bold, then
    # per page: page, contents
    first = 9
    kids = " ".join(f"{first + 2 * i} 0 R" for i in range(n))
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
    for name, widths in (("Helvetica", HELVETICA), ("Helvetica-Bold", HELVETICA_BOLD)):
        # a standard-14 font, so nothing is embedded; the widths are given all the same (PDF 1.5 on expects them)
        objects.append(
            f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding "
            f"/FirstChar 32 /LastChar 126 /Widths [{' '.join(map(str, widths))}] >>".encode()
        )
    for i, page in enumerate(pages):
        stream = "\n".join(page.ops).encode("ascii")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_n(page.width)} {_n(page.height)}] "
            f"/Resources << /Font << /F1 3 0 R /F2 7 0 R /F3 8 0 R >> >> /Contents {first + 1 + 2 * i} 0 R >>".encode()
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

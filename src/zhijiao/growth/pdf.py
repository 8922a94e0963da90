"""A small PDF writer for the graduation archive: A4 pages of Chinese text, no dependency.

The repository's PDF path is hand-written PDF (the demo's one-page files); Chinese needs a CJK font, which this
writer takes from the PDF standard's predefined ones rather than embedding a file: ``STSong-Light`` with the
``UniGB-UCS2-H`` encoding (Adobe-GB1), which every conforming reader (Acrobat, pdf.js, PDFium, Preview) maps to a
Song typeface it has. Text is written as UCS-2 code units, so characters outside the Basic Multilingual Plane are
replaced by “?”. Layout is lines: headings, key–value lines and wrapped paragraphs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

PAGE_W, PAGE_H = 595, 842
MARGIN = 56
BODY = 10.5


@dataclass
class Line:
    text: str
    size: float = BODY
    bold: bool = False
    indent: float = 0.0
    gap_before: float = 0.0
    rule: bool = False


def _width(text: str, size: float) -> float:
    return sum(size * (0.5 if ord(ch) < 0x2E80 else 1.0) for ch in text)


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break a paragraph into lines that fit ``width`` points (CJK a full em, Latin half)."""
    out: list[str] = []
    for para in (text or "").split("\n"):
        line = ""
        for ch in para:
            if _width(line + ch, size) > width:
                out.append(line)
                line = ""
            line += ch
        out.append(line)
    return out


def _hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" if ord(ch) <= 0xFFFF else "003F" for ch in text)


def document(lines: list[Line], *, title: str, footer: str = "") -> bytes:
    """Lay the lines out on as many A4 pages as they need; each page carries ``footer`` and its number."""
    pages: list[list[str]] = []
    ops: list[str] = []
    y: float = PAGE_H - MARGIN
    width = PAGE_W - 2 * MARGIN

    def new_page() -> None:
        nonlocal ops, y
        if ops:
            pages.append(ops)
        ops = []
        y = PAGE_H - MARGIN

    for line in lines:
        chunks = wrap(line.text, line.size, width - line.indent) if line.text else [""]
        for i, chunk in enumerate(chunks):
            step = line.size * 1.55 + (line.gap_before if i == 0 else 0)
            if y - step < MARGIN + 20:
                new_page()
            y -= step
            if chunk:
                # a fake bold (stroke + fill) keeps to the one predefined font
                mode = "2 Tr 0.3 w" if line.bold else "0 Tr"
                ops.append(f"BT /F1 {line.size:g} Tf {mode} {MARGIN + line.indent:g} {y:.1f} Td <{_hex(chunk)}> Tj ET")
        if line.rule:
            y -= 4
            ops.append(f"0.6 0.65 0.75 RG 0.8 w {MARGIN} {y:.1f} m {PAGE_W - MARGIN} {y:.1f} l S 0 0 0 RG")
    new_page()
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        tail = f"{footer}  第 {number} 页 / 共 {total} 页" if footer else f"第 {number} 页 / 共 {total} 页"
        page.append(f"BT /F1 8 Tf 0.45 g {MARGIN} 30 Td <{_hex(tail)}> Tj ET 0 g")
    return _assemble(pages, title)


def _assemble(pages: list[list[str]], title: str) -> bytes:
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
        stream = "\n".join(page).encode("ascii")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
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

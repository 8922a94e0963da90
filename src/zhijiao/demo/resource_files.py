"""Small, valid, unique files for the demo library: Markdown lesson texts, one-page PDFs, PNG pictures, WAV clips,
and a few real media (a diagram PNG, a PDF handout, a short MP4 made with ffmpeg when it is installed).

Every generator is deterministic in its arguments, so the same seed gives the same bytes (and checksums).
"""

from __future__ import annotations

import io
import math
import shutil
import struct
import subprocess
import tempfile
import wave
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PALETTE = [(37, 99, 235), (5, 150, 105), (217, 119, 6), (220, 38, 38), (124, 58, 237), (8, 145, 178)]


def markdown(title: str, lines: list[str]) -> bytes:
    body = "\n".join(f"- {line}" if not line.startswith("#") else f"\n{line}\n" for line in lines)
    return f"# {title}\n\n{body}\n".encode()


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(lines: list[str], *, drawing: str = "") -> bytes:
    """A one-page A4 PDF with Helvetica text (ASCII lines) and optional drawing operators: valid for any reader."""
    ops = ["BT /F1 16 Tf 72 770 Td 22 TL"]
    for line in lines:
        ops.append(f"({_pdf_escape(line.encode('ascii', 'replace').decode())}) Tj T*")
    ops.append("ET")
    if drawing:
        ops.append(drawing)
    stream = "\n".join(ops).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
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
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png(seed: int, *, size: tuple[int, int] = (240, 160)) -> bytes:
    """A small picture: a tinted background with a few shapes placed by ``seed``."""
    w, h = size
    colour = PALETTE[seed % len(PALETTE)]
    image = Image.new("RGB", size, tuple(255 - (255 - c) // 6 for c in colour))
    draw = ImageDraw.Draw(image)
    x = seed * 37 % (w - 60)
    y = seed * 53 % (h - 60)
    draw.ellipse((x, y, x + 50, y + 50), outline=colour, width=3)
    draw.polygon([(20, h - 20), (w // 2, 20 + seed % 40), (w - 20, h - 20)], outline=colour, width=2)
    draw.line((0, seed % h, w, (seed * 7) % h), fill=colour, width=1)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def wav(seed: int, *, seconds: float = 0.6, rate: int = 8000) -> bytes:
    """A short mono tone (pitch from ``seed``): a valid WAV any player reads."""
    freq = 220 + seed % 440
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate))) for i in range(int(seconds * rate))
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def diagram_png() -> bytes:
    """A classroom picture: a bar chart with a sun and a house, bright enough for a thumbnail."""
    image = Image.new("RGB", (960, 640), (248, 250, 252))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 470, 960, 640), fill=(220, 252, 231))
    draw.ellipse((760, 50, 880, 170), fill=(253, 224, 71), outline=(217, 119, 6), width=4)
    draw.polygon([(120, 300), (250, 190), (380, 300)], fill=(254, 202, 202), outline=(220, 38, 38), width=4)
    draw.rectangle((150, 300, 350, 470), fill=(255, 255, 255), outline=(220, 38, 38), width=4)
    draw.rectangle((225, 380, 275, 470), fill=(254, 243, 199), outline=(217, 119, 6), width=3)
    for i, height in enumerate((120, 200, 160, 260)):
        x = 470 + i * 70
        draw.rectangle((x, 470 - height, x + 50, 470), fill=PALETTE[i], outline=(30, 41, 59), width=2)
    draw.line((450, 470, 760, 470), fill=(30, 41, 59), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


HANDOUT_LINES = [
    "Classroom worksheet",
    "Name: ____________   Class: ________   Date: ________",
    "",
    "1. Read the lesson text and underline the key words.",
    "2. Draw what you learned in the box below.",
    "3. Share one question with your group.",
]
HANDOUT_BLUE = (38, 99, 235)  # 0.15 0.39 0.92 RG


def handout_pdf() -> bytes:
    drawing = "0.15 0.39 0.92 RG 3 w 150 300 m 400 300 l 150 480 l h S 150 300 20 20 re S"
    return pdf(HANDOUT_LINES, drawing=drawing)


def handout_page() -> Image.Image:
    """The handout's page drawn with Pillow at 72 dpi (595×842, what pdftoppm renders): the preview the demo
    stores itself when poppler-utils is not installed, so a fresh machine still shows the page."""
    page = Image.new("RGB", (595, 842), "white")
    draw = ImageDraw.Draw(page)
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype("DejaVuSans.ttf", 15)
    except OSError:
        font = ImageFont.load_default(size=15)
    for i, line in enumerate(HANDOUT_LINES):  # PDF: 16 pt text from (72, 770), 22 pt leading; y runs upwards
        draw.text((72, 842 - 770 + 22 * i), line, font=font, fill="black", anchor="ls")
    y = lambda pdf_y: 842 - pdf_y  # noqa: E731
    draw.line([(150, y(300)), (400, y(300)), (150, y(480)), (150, y(300))], fill=HANDOUT_BLUE, width=3, joint="curve")
    draw.rectangle((150, y(320), 170, y(300)), outline=HANDOUT_BLUE, width=3)
    return page


def mp4(seconds: int = 4) -> bytes | None:
    """A short silent clip of the classroom picture (``diagram_png``), or None when ffmpeg is not installed."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    with tempfile.TemporaryDirectory(prefix="zhijiao-demo-") as tmp:
        picture = Path(tmp) / "picture.png"
        picture.write_bytes(diagram_png())
        target = Path(tmp) / "demo.mp4"
        args = [
            ffmpeg, "-v", "error", "-y",
            "-loop", "1", "-framerate", "15", "-t", str(seconds), "-i", str(picture),
            "-f", "lavfi", "-i", f"anullsrc=channel_layout=mono:sample_rate=22050:duration={seconds}",
            "-vf", "scale=480:320,format=yuv420p",
            "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", "-shortest",
            "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-threads", "1", str(target),
        ]  # fmt: skip
        try:
            subprocess.run(args, check=True, timeout=60, capture_output=True)  # noqa: S603
        except (subprocess.SubprocessError, OSError):
            return None
        return target.read_bytes()

"""The certificate as a one-page A4 PDF, drawn with Pillow (the project's image library; there is no PDF library in
the lock file) in a CJK font from the system (Debian's fonts-noto-cjk, which CI installs), saved as PDF at 150 dpi."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from zhijiao.spaces.research.hours import TeacherHours
from zhijiao.spaces.research.models import Certificate

_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
W, H = 1240, 1754  # A4 at 150 dpi
INK, RED, MUTED = (30, 41, 59), (185, 28, 28), (100, 116, 139)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=2 if path.endswith("CJK-Regular.ttc") else 0)
    return ImageFont.load_default(size)


def _centre(draw: ImageDraw.ImageDraw, y: int, text: str, size: int, fill=INK) -> None:
    font = _font(size)
    width = draw.textlength(text, font=font)
    draw.text(((W - width) / 2, y), text, font=font, fill=fill)


def certificate_pdf(certificate: Certificate, hours: TeacherHours | None, verify_url: str) -> bytes:
    image = Image.new("RGB", (W, H), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((50, 50, W - 50, H - 50), outline=(180, 83, 9), width=6)
    draw.rectangle((70, 70, W - 70, H - 70), outline=(217, 119, 6), width=2)
    _centre(draw, 170, "继续教育学时证明", 72, RED)
    _centre(draw, 275, f"{certificate.year} 年度", 36, MUTED)
    body = (
        f"兹证明 {certificate.name} 同志于 {certificate.year} 年度参加网络教研活动，"
        f"按照{certificate.issuer}继续教育学时认定规则，累计获得"
    )
    font = _font(34)
    y, line = 400, ""
    for ch in body:
        if draw.textlength(line + ch, font=font) > W - 300:
            draw.text((150, y), line, font=font, fill=INK)
            y, line = y + 58, ""
        line += ch
    draw.text((150, y), line, font=font, fill=INK)
    _centre(draw, y + 90, f"{certificate.hours} 学时", 88, RED)
    y += 240
    if hours is not None:
        table = _font(30)
        draw.line((200, y, W - 200, y), fill=(226, 232, 240), width=2)
        for k in hours.kinds:
            y += 20
            draw.text((220, y), k.label, font=table, fill=INK)
            draw.text((560, y), f"{k.count} 次", font=table, fill=MUTED)
            draw.text((820, y), f"{k.hours} 学时", font=table, fill=INK)
            y += 44
            draw.line((200, y, W - 200, y), fill=(226, 232, 240), width=2)
    small = _font(28)
    # the issuer, its date and a round seal over them (as a stamped certificate looks)
    cx, cy, r = 880, H - 540, 115
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=RED, width=6)
    seal = _font(26)
    label = "学时认定专用"
    draw.text((cx - draw.textlength(label, font=seal) / 2, cy - r + 28), label, font=seal, fill=RED)
    draw.text((cx - 20, cy + 42), "★", font=_font(40), fill=RED)
    issuer = _font(36)
    draw.text(
        (cx - draw.textlength(certificate.issuer, font=issuer) / 2, cy - 22), certificate.issuer, font=issuer, fill=INK
    )
    date = f"{certificate.issued_at:%Y年%m月%d日}"
    draw.text((cx - draw.textlength(date, font=small) / 2, cy + r + 20), date, font=small, fill=INK)
    draw.text((150, H - 300), f"验证码：{certificate.code}", font=_font(34), fill=INK)
    draw.text((150, H - 245), f"查验地址：{verify_url}", font=small, fill=MUTED)
    draw.text((150, H - 200), "任何人可凭验证码在上述地址查验本证明的真伪，无需登录。", font=small, fill=MUTED)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150.0)
    return out.getvalue()

"""The certificate as a one-page A4 PDF, drawn with the platform's PDF writer (:mod:`zhijiao.core.pdf`): text in the
reader's Chinese typeface, so the code and the address can be copied and the file is a few kilobytes.

The layout is measured in pixels of an A4 page at 150 dpi (1240 × 1754, the size it was first drawn at with Pillow)
and written in points; a text's ``top`` is where the top of its line sits, as Pillow placed it.
"""

from __future__ import annotations

from zhijiao.core.pdf import RGB, Page, pdf, text_width, wrap
from zhijiao.spaces.research.hours import TeacherHours
from zhijiao.spaces.research.models import Certificate

W, H = 1240, 1754  # A4 at 150 dpi
PX = 72 / 150  # points per pixel
TOP = 1.16  # from the top of a line to its baseline, in ems (the Noto CJK ascender the layout was drawn with)
INK, RED, MUTED = (30, 41, 59), (185, 28, 28), (100, 116, 139)
GOLD, AMBER, RULE = (180, 83, 9), (217, 119, 6), (226, 232, 240)


class _Sheet:
    """A :class:`Page` in the 150-dpi pixels of the layout."""

    def __init__(self) -> None:
        self.page = Page()

    def text(self, x: float, top: float, text: str, size: float, colour: RGB = INK, *, centre: bool = False) -> None:
        self.page.text(
            x * PX, (top + TOP * size) * PX, text, size=size * PX, colour=colour, align="centre" if centre else "left"
        )

    def centre(self, top: float, text: str, size: float, colour: RGB = INK) -> None:
        self.text(W / 2, top, text, size, colour, centre=True)

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: RGB, width: float) -> None:
        self.page.line(x1 * PX, y1 * PX, x2 * PX, y2 * PX, colour=colour, width=width * PX)

    def rect(self, inset: float, colour: RGB, width: float) -> None:
        # Pillow drew a box's outline inside its edges: the stroke's centre is half its width in
        a, b = (inset + width / 2) * PX, (W - inset - width / 2) * PX
        self.page.rect(a, a, b, (H - inset - width / 2) * PX, colour=colour, width=width * PX)

    def circle(self, cx: float, cy: float, r: float, colour: RGB, width: float) -> None:
        self.page.circle(cx * PX, cy * PX, (r - width / 2) * PX, colour=colour, width=width * PX)


def certificate_pdf(certificate: Certificate, hours: TeacherHours | None, verify_url: str) -> bytes:
    s = _Sheet()
    s.rect(50, GOLD, 6)
    s.rect(70, AMBER, 2)
    s.centre(170, "继续教育学时证明", 72, RED)
    s.centre(275, f"{certificate.year} 年度", 36, MUTED)
    body = (
        f"兹证明 {certificate.name} 同志于 {certificate.year} 年度参加网络教研活动，"
        f"按照{certificate.issuer}继续教育学时认定规则，累计获得"
    )
    y = 400
    lines = wrap(body, 34, W - 300)
    for i, line in enumerate(lines):
        s.text(150, y + 58 * i, line, 34)
    y += 58 * (len(lines) - 1)
    s.centre(y + 90, f"{certificate.hours} 学时", 88, RED)
    y += 240
    if hours is not None:
        s.line(200, y, W - 200, y, RULE, 2)
        for k in hours.kinds:
            y += 20
            s.text(220, y, k.label, 30)
            s.text(560, y, f"{k.count} 次", 30, MUTED)
            s.text(820, y, f"{k.hours} 学时", 30)
            y += 44
            s.line(200, y, W - 200, y, RULE, 2)
    # the issuer, its date and a round seal over them (as a stamped certificate looks)
    cx, cy, r = 880, H - 540, 115
    s.circle(cx, cy, r, RED, 6)
    s.text(cx, cy - r + 34, "学时认定专用", 22, RED, centre=True)
    s.text(cx, cy + 42, "★", 40, RED, centre=True)
    # the issuer across the seal, smaller when a long name would run past the circle
    size = min(36.0, 36 * 2 * (r - 24) / max(text_width(certificate.issuer, 36), 1.0))
    s.text(cx, cy - 22 + (36 - size) / 2, certificate.issuer, size, centre=True)
    s.text(cx, cy + r + 20, f"{certificate.issued_at:%Y年%m月%d日}", 28, centre=True)
    s.text(150, H - 300, f"验证码：{certificate.code}", 34)
    s.text(150, H - 245, f"查验地址：{verify_url}", 28, MUTED)
    s.text(150, H - 200, "任何人可凭验证码在上述地址查验本证明的真伪，无需登录。", 28, MUTED)
    return pdf([s.page], title=f"继续教育学时证明 {certificate.year} {certificate.name}")

"""Screenshot of a published resource page with its preview: a 微课 video with the poster frame (65).

    ZHIJIAO_HOME=/tmp/zj uv run zhijiao demo --setup-only
    ZHIJIAO_HOME=/tmp/zj uv run python scripts/screenshots_preview.py [--out docs/screenshots] [--port 8753]

It adds (once) a published 微课 by the demo teacher: a short video drawn here (a slide on 勾股定理, turned into an
MP4 by ffmpeg), with its previews built in-process (what the worker's ``preview_task`` does), and a PDF 学案 with
its first page, so the related-resource cards have thumbnails too. Needs /usr/bin/ffmpeg and /usr/bin/pdftoppm.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).parent))
from shots_common import chromium, demo_accounts, demo_server, login, new_page, out_dir

TITLE = "人教版八年级下册 勾股定理 微课"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"


def slide() -> bytes:
    """A 1280×720 lesson slide: the title, a right triangle with a square on each side, the theorem."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (1280, 720), (246, 248, 252))
    d = ImageDraw.Draw(img)
    bold = ImageFont.truetype(FONT_BOLD if Path(FONT_BOLD).exists() else FONT, 54)
    text = ImageFont.truetype(FONT, 30)
    small = ImageFont.truetype(FONT, 24)
    d.rectangle((0, 0, 1280, 96), fill=(31, 94, 255))
    d.text((48, 18), "17.1 勾股定理（第1课时）", font=bold, fill="white")
    d.text((1000, 36), "八年级下册 · 数学", font=small, fill=(220, 230, 255))
    # a right triangle with legs 3 and 4 (u pixels a unit) and the square on each side, the hypotenuse's outward
    u = 44
    ax, ay = 250, 470  # the right angle
    bx, by = ax + 4 * u, ay
    cx, cy = ax, ay - 3 * u
    d.rectangle((ax, ay, bx, ay + 4 * u), fill=(232, 245, 233), outline=(46, 125, 50), width=3)
    d.rectangle((ax - 3 * u, cy, ax, ay), fill=(237, 231, 246), outline=(94, 53, 177), width=3)
    ox, oy = 3 * u, -4 * u  # perpendicular to CB, away from the right angle
    d.polygon(
        [(cx, cy), (bx, by), (bx + ox, by + oy), (cx + ox, cy + oy)],
        fill=(253, 232, 236),
        outline=(194, 24, 91),
        width=3,
    )
    d.polygon([(ax, ay), (bx, by), (cx, cy)], fill=(255, 243, 224), outline=(230, 81, 0), width=4)
    d.text((ax + 2 * u - 14, ay + 2 * u - 20), "b²", font=text, fill=(46, 125, 50))
    d.text((ax - 2 * u + 20, ay - 2 * u + 10), "a²", font=text, fill=(94, 53, 177))
    d.text((cx + 2 * u + 50, cy - 40), "c²", font=text, fill=(194, 24, 91))
    d.text((ax + 4, ay - 40), "∟", font=small, fill=(230, 81, 0))
    d.text((760, 200), "直角三角形两直角边的平方和", font=text, fill=(11, 31, 75))
    d.text((760, 246), "等于斜边的平方。", font=text, fill=(11, 31, 75))
    d.rounded_rectangle((760, 320, 1180, 420), radius=18, fill="white", outline=(31, 94, 255), width=3)
    d.text((850, 340), "a² + b² = c²", font=ImageFont.truetype(FONT, 44), fill=(31, 94, 255))
    d.text((760, 470), "赵爽弦图 · 面积法证明", font=small, fill=(91, 100, 120))
    d.text((760, 510), "例：3² + 4² = 5²", font=small, fill=(91, 100, 120))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def lesson_video() -> bytes:
    with tempfile.TemporaryDirectory() as work:
        png = Path(work) / "slide.png"
        png.write_bytes(slide())
        mp4 = Path(work) / "lesson.mp4"
        subprocess.run(  # noqa: S603
            [
                *("/usr/bin/ffmpeg", "-nostdin", "-v", "error", "-y", "-loop", "1", "-i", str(png), "-t", "8"),
                *("-r", "25", "-vf", "zoompan=z='min(zoom+0.0008,1.06)':d=200:s=1280x720"),
                *("-pix_fmt", "yuv420p", str(mp4)),
            ],
            check=True,
            timeout=120,
        )
        return mp4.read_bytes()


def worksheet_pdf() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("RGB", (1240, 1754), "white")
    d = ImageDraw.Draw(page)
    d.text((120, 120), "17.1 勾股定理 学案", font=ImageFont.truetype(FONT, 64), fill=(11, 31, 75))
    body = ImageFont.truetype(FONT, 34)
    lines = [
        "【学习目标】",
        "1. 经历勾股定理的探索过程，会用面积法证明。",
        "2. 能用勾股定理解决简单的实际问题。",
        "",
        "【课前预习】",
        "在方格纸上画一个两直角边分别为 3 和 4 的直角三角形，",
        "量一量斜边的长度。",
        "",
        "【合作探究】",
        "观察赵爽弦图，用两种方法表示大正方形的面积……",
    ]
    for i, line in enumerate(lines):
        d.text((120, 280 + i * 62), line, font=body, fill=(40, 40, 40))
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150)
    return out.getvalue()


def prepare(accounts: dict) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.config.settings")
    django.setup()
    from zhijiao.audit.services import Origin
    from zhijiao.curriculum.models import Chapter, KnowledgePoint
    from zhijiao.identity.models import Account
    from zhijiao.resources.models import Resource, ResourceType, SharingScope
    from zhijiao.resources.previews import preview_build
    from zhijiao.resources.services import (
        ResourceData,
        UploadedFile,
        resource_create,
        resource_review,
        resource_submit,
    )

    existing = Resource.objects.filter(title=TITLE).first()
    if existing is not None:
        return existing.pk
    origin = Origin(channel="cli")
    teacher = Account.objects.get(username="teacher")
    principal = Account.objects.get(username="principal")
    bureau = Account.objects.get(username="bureau")
    section = Chapter.objects.get(volume__code="8b", number="17.1")
    points = list(KnowledgePoint.objects.filter(name__in=["勾股定理"]))

    def make(title: str, rtype: str, name: str, data: bytes, description: str) -> Resource:
        meta = ResourceData(
            title=title,
            type=rtype,
            stage=section.volume.edition.stage,
            subject=section.volume.edition.subject,
            description=description,
            keywords="勾股定理 赵爽弦图 面积法 直角三角形",
            sharing=SharingScope.DISTRICT,
            chapter=section,
            knowledge_points=points,
        )
        r = resource_create(
            actor=teacher, data=meta, upload=UploadedFile.from_bytes(name, data), origin=origin
        ).resource
        resource_submit(actor=teacher, resource=r, origin=origin)
        resource_review(actor=principal, resource=r, approve=True, origin=origin)
        resource_review(actor=bureau, resource=r, approve=True, origin=origin)
        preview_build(r.current_version.file)  # what the worker's preview_task does after the commit
        return r

    make(
        "勾股定理 学案（第1课时）",
        ResourceType.LEARNING_PLAN,
        "勾股定理 学案.pdf",
        worksheet_pdf(),
        "课前预习、合作探究与当堂检测三部分，配合微课使用。",
    )
    video = make(
        TITLE,
        ResourceType.MICRO_LESSON,
        "勾股定理 微课.mp4",
        lesson_video(),
        "从赵爽弦图出发，用面积法证明勾股定理，并通过“3、4、5”的例子体会定理的应用。时长约 8 秒的演示片段，"
        "适合课前预习或课堂导入。",
    )
    return video.pk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--port", type=int, default=8753)
    args = parser.parse_args()
    out = out_dir(args.out)
    accounts = demo_accounts()
    pk = prepare(accounts)
    with demo_server(args.port) as base, chromium() as browser:
        page = new_page(browser)
        a = accounts["teacher"]
        login(page, base, "teacher", a["password"], a.get("totp_secret"))
        page.goto(f"{base}/resources/{pk}/")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("document.querySelector('video.res-pv-video').readyState >= 4")  # no spinner
        page.mouse.move(1400, 20)  # the player's controls fade without the pointer over it
        page.wait_for_timeout(1500)
        page.screenshot(path=out / "65-resource-preview.png", full_page=True)
        print("saved", out / "65-resource-preview.png")


if __name__ == "__main__":
    main()

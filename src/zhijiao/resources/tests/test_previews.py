from __future__ import annotations

import io
import shutil
import subprocess
import time
import wave
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from PIL import Image, ImageDraw

from zhijiao.resources import previews, services
from zhijiao.resources.indexing import index_resources
from zhijiao.resources.models import PreviewState, Resource, ResourceFile, ResourceType, SharingScope
from zhijiao.resources.previews import LARGE, THUMB, preview_build
from zhijiao.resources.services import ResourceData, UploadedFile, resource_create
from zhijiao.resources.storage import preview_get
from zhijiao.resources.tests.conftest import ORIGIN, publish
from zhijiao.testing import login_as

needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


def upload(author, name: str, data: bytes, *, title: str = "勾股定理 微课", **extra) -> Resource:
    meta = ResourceData(
        title=title, type=extra.pop("type", ResourceType.MICRO_LESSON), stage="3", subject="14", **extra
    )
    return resource_create(actor=author, data=meta, upload=UploadedFile.from_bytes(name, data), origin=ORIGIN).resource


def file_of(resource: Resource) -> ResourceFile:
    return ResourceFile.objects.get(versions__resource=resource)


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    image = Image.new(mode, (width, height), (30, 90, 200, 128) if mode == "RGBA" else (30, 90, 200))
    ImageDraw.Draw(image).rectangle((width // 4, height // 4, width // 2, height // 2), fill=(250, 200, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg_size(data: bytes | None) -> tuple[int, int]:
    assert data is not None
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


def pdf_bytes() -> bytes:
    page = Image.new("RGB", (595, 842), "white")
    ImageDraw.Draw(page).rectangle((60, 60, 535, 200), fill=(20, 60, 160))
    out = io.BytesIO()
    fixed = time.gmtime(1788220800)  # same bytes on every call (Pillow stamps the time otherwise)
    page.save(out, "PDF", resolution=72, creationDate=fixed, modDate=fixed)
    return out.getvalue()


def clip(tmp_path: Path, seconds: float) -> bytes:
    target = tmp_path / "clip.mp4"
    source = f"testsrc=duration={seconds}:size=320x240:rate=10"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-pix_fmt", "yuv420p", str(target)],
        check=True,
        timeout=60,
    )
    return target.read_bytes()


def test_image_gets_a_480px_thumbnail_and_a_large_image(region):
    resource = upload(region.accounts["teacher"], "勾股树.png", png(1600, 900))
    file = file_of(resource)
    assert file.preview_state == PreviewState.PENDING
    outcome = preview_build(file)
    file.refresh_from_db()
    assert (outcome.state, file.preview_state, file.preview_kind) == ("ready", "ready", "image")
    assert jpeg_size(preview_get(file.sha256, THUMB)) == (480, 270)
    assert jpeg_size(preview_get(file.sha256, LARGE)) == (1280, 720)


def test_small_transparent_image_is_not_enlarged_and_lands_on_white(region):
    file = file_of(upload(region.accounts["teacher"], "icon.png", png(200, 100, "RGBA")))
    preview_build(file)
    assert jpeg_size(preview_get(file.sha256, THUMB)) == (200, 100)
    with Image.open(io.BytesIO(preview_get(file.sha256, THUMB) or b"")) as thumb:
        r, _g, _b = thumb.convert("RGB").getpixel((5, 5))
        assert r > 100  # half-transparent blue over white, not over black


@needs_pdftoppm
def test_pdf_first_page(region):
    file = file_of(upload(region.accounts["teacher"], "勾股定理 学案.pdf", pdf_bytes()))
    outcome = preview_build(file)
    assert (outcome.state, outcome.kind) == ("ready", "pdf")
    if shutil.which("pdfinfo"):
        assert outcome.note == "共 1 页"
    width, height = jpeg_size(preview_get(file.sha256, LARGE))
    assert width == 595 and 840 <= height <= 843  # 72 dpi of an A4 page
    assert jpeg_size(preview_get(file.sha256, THUMB))[0] == 480


@needs_ffmpeg
def test_video_poster_and_duration(region, tmp_path):
    file = file_of(upload(region.accounts["teacher"], "勾股定理 微课.mp4", clip(tmp_path, 2)))
    outcome = preview_build(file)
    assert (outcome.state, outcome.kind) == ("ready", "video")
    assert jpeg_size(preview_get(file.sha256, LARGE)) == (320, 240)
    if shutil.which("ffprobe"):
        assert outcome.note == "时长 0:02"


@needs_ffmpeg
def test_clip_shorter_than_a_second_still_gets_a_poster(region, tmp_path):
    file = file_of(upload(region.accounts["teacher"], "片头.mp4", clip(tmp_path, 0.5)))
    assert preview_build(file).state == "ready"
    assert preview_get(file.sha256, THUMB) is not None


def test_missing_ffmpeg_leaves_no_preview_with_a_note(region, monkeypatch):
    monkeypatch.setattr(previews.shutil, "which", lambda name: None)
    file = file_of(upload(region.accounts["teacher"], "课堂实录.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64))
    outcome = preview_build(file)
    file.refresh_from_db()
    assert file.preview_state == PreviewState.NONE and file.preview_kind == "video"
    assert file.preview_note == "服务器未安装 ffmpeg，无法生成视频封面" == outcome.note
    assert preview_get(file.sha256, THUMB) is None


def test_missing_pdftoppm_names_the_package(region, monkeypatch):
    monkeypatch.setattr(previews.shutil, "which", lambda name: None)
    file = file_of(upload(region.accounts["teacher"], "试卷.pdf", b"%PDF-1.4 whatever"))
    assert preview_build(file).note == "服务器未安装 poppler-utils，无法生成 PDF 首页预览"


@needs_pdftoppm
def test_broken_pdf_fails_with_the_reason_and_the_resource_stays(region):
    resource = upload(region.accounts["teacher"], "损坏.pdf", b"%PDF-1.4\nthis is not a pdf at all\n")
    outcome = preview_build(file_of(resource))
    assert outcome.state == "failed" and outcome.note.startswith("PDF 渲染失败")
    assert Resource.objects.filter(pk=resource.pk, current_version__isnull=False).exists()


def test_broken_image_fails(region):
    file = file_of(upload(region.accounts["teacher"], "坏图.png", b"\x89PNG\r\n\x1a\n broken"))
    outcome = preview_build(file)
    assert outcome.state == "failed" and outcome.note.startswith("无法读取图片")


def test_tool_timeout_is_a_failure(region, monkeypatch):
    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(cmd=args[0], timeout=previews.TOOL_SECONDS)

    monkeypatch.setattr(previews.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(previews.subprocess, "run", slow)
    file = file_of(upload(region.accounts["teacher"], "讲解.mp4", b"not really a video"))
    assert preview_build(file).note == "截取视频封面超时（60 秒）"


def test_audio_gets_a_player_kind_and_no_image(region):
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 8000 * 3)
    file = file_of(upload(region.accounts["teacher"], "秋天的雨 朗读.wav", buf.getvalue()))
    outcome = preview_build(file)
    assert (outcome.state, outcome.kind) == ("ready", "audio")
    if shutil.which("ffprobe"):
        assert outcome.note == "时长 0:03"
    assert preview_get(file.sha256, THUMB) is None


def test_text_excerpt_reads_gbk_and_keeps_the_first_lines(region):
    body = "\r\n".join(f"第{i}行 勾股定理的证明" for i in range(1, 101)).encode("gb18030")
    file = file_of(upload(region.accounts["teacher"], "教案.txt", body))
    assert preview_build(file).state == "ready"
    excerpt = previews.preview_excerpt(file)
    assert excerpt.startswith("第1行 勾股定理的证明\n第2行")
    assert "第30行" in excerpt and "第31行" not in excerpt


def test_office_files_get_no_preview(region):
    name = "课件.pptx"
    file = file_of(upload(region.accounts["teacher"], name, b"PK\x03\x04 pretend"))
    outcome = preview_build(file)
    assert (outcome.state, outcome.note) == ("none", "该类型文件暂不提供在线预览，请下载后查看")


def test_new_files_are_scheduled_once_on_commit(region, monkeypatch, django_capture_on_commit_callbacks):
    asked: list[int] = []
    monkeypatch.setattr(services, "preview_task", asked.append)
    teacher = region.accounts["teacher"]
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(teacher, "图.png", png(64, 64))
    with django_capture_on_commit_callbacks(execute=True):
        upload(teacher, "同一张图.png", png(64, 64), title="同一张图")  # the same bytes: no second job
    assert asked == [file_of(first).pk]


def test_back_fill_command(region, capsys):
    teacher = region.accounts["teacher"]
    image = file_of(upload(teacher, "a.png", png(100, 50)))
    office = file_of(upload(teacher, "b.docx", b"PK\x03\x04 docx", title="教案"))
    call_command("resources_previews", "--pending")
    image.refresh_from_db()
    office.refresh_from_db()
    assert (image.preview_state, office.preview_state) == ("ready", "none")
    assert "2" in capsys.readouterr().out
    call_command("resources_previews", "--pending")  # nothing pending any more
    assert "0" in capsys.readouterr().out


@pytest.fixture
def shown(region):
    a = region.accounts
    image = publish(
        upload(a["teacher"], "勾股树.png", png(800, 600), title="勾股树 图片", sharing=SharingScope.SCHOOL),
        first=a["principal"],
        second=a["bureau"],
    )
    preview_build(file_of(image))
    return image


def test_preview_endpoint_is_scoped_like_the_resource(region, shown):
    client = Client()
    login_as(client, "teacher")
    response = client.get(f"/resources/{shown.pk}/preview/thumb.jpg")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response.content == preview_get(file_of(shown).sha256, THUMB)
    assert client.get(f"/resources/{shown.pk}/preview/excerpt.txt").status_code == 404
    assert client.get(f"/resources/{shown.pk}/preview/..%2Fsecret").status_code == 404
    login_as(client, "nobody")  # another district: a school-only resource is invisible, and so is its preview
    assert client.get(f"/resources/{shown.pk}/preview/thumb.jpg").status_code == 404
    assert Client().get(f"/resources/{shown.pk}/preview/large.jpg").status_code == 404


def test_draft_previews_stay_with_the_author(region):
    a = region.accounts
    draft = upload(a["teacher"], "草稿.png", png(300, 200))
    preview_build(file_of(draft))
    client = Client()
    login_as(client, "teacher")
    assert client.get(f"/resources/{draft.pk}/preview/large.jpg").status_code == 200
    login_as(client, "head")  # a colleague at the same school: another author's draft is not theirs to see
    assert client.get(f"/resources/{draft.pk}/preview/large.jpg").status_code == 404


def test_detail_page_and_result_cards_show_the_preview(region, shown, settings, tmp_path):
    settings.ZHIJIAO_SEARCH_DIR = tmp_path / "search"
    index_resources([shown.pk])
    client = Client()
    login_as(client, "teacher")
    html = client.get(f"/resources/{shown.pk}/").content.decode()
    assert f'src="/resources/{shown.pk}/preview/large.jpg?v=' in html
    cards = client.get("/resources/").content.decode()
    assert f'src="/resources/{shown.pk}/preview/thumb.jpg?v=' in cards


@needs_ffmpeg
def test_detail_page_video_player_with_poster(region, tmp_path):
    video = upload(region.accounts["teacher"], "勾股定理 微课.mp4", clip(tmp_path, 2))
    preview_build(file_of(video))
    client = Client()
    login_as(client, "teacher")
    html = client.get(f"/resources/{video.pk}/").content.decode()
    assert "<video" in html and f'poster="/resources/{video.pk}/preview/large.jpg?v=' in html
    assert f'src="/resources/{video.pk}/download/?inline=1"' in html
    ranged = client.get(f"/resources/{video.pk}/download/?inline=1", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and ranged["Content-Disposition"].startswith("inline")


def test_pending_preview_shows_a_placeholder(region):
    draft = upload(region.accounts["teacher"], "课件.pptx", b"PK\x03\x04 pretend")
    client = Client()
    login_as(client, "teacher")
    html = client.get(f"/resources/{draft.pk}/").content.decode()
    assert "预览生成中" in html
    preview_build(file_of(draft))
    assert "该类型文件暂不提供在线预览" in client.get(f"/resources/{draft.pk}/").content.decode()

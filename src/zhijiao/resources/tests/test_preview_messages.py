"""Server set-up problems reach the operator, not users (issue 12): a missing preview tool or a tool's error shows
users a neutral placeholder, `zhijiao check` names the missing tools, and resource pages show a file-type label
instead of MIME types and checksums."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from zhijiao.resources import previews
from zhijiao.resources.filetypes import file_type_label
from zhijiao.resources.previews import NO_PREVIEW, preview_build
from zhijiao.resources.tests.test_previews import file_of, pdf_bytes, upload
from zhijiao.testing import login_as
from zhijiao.web.integrity import integrity_report


def page_of(resource) -> str:
    client = Client()
    login_as(client, "teacher")
    return client.get(f"/resources/{resource.pk}/").content.decode()


def test_missing_pdf_tool_shows_users_a_neutral_placeholder(region, monkeypatch):
    monkeypatch.setattr(previews.shutil, "which", lambda name: None)
    resource = upload(region.accounts["teacher"], "试卷.pdf", pdf_bytes())
    file = file_of(resource)
    assert preview_build(file).note.startswith("服务器未安装")  # kept for the operator
    html = page_of(resource)
    assert NO_PREVIEW in html
    assert "poppler" not in html and "未安装" not in html and "服务器" not in html


def test_a_tools_error_is_not_shown_to_users(region):
    resource = upload(region.accounts["teacher"], "坏图.png", b"\x89PNG\r\n\x1a\n broken")
    assert preview_build(file_of(resource)).state == "failed"
    html = page_of(resource)
    assert NO_PREVIEW in html and "无法读取图片" not in html


def test_video_without_ffmpeg_plays_without_a_note(region, monkeypatch):
    monkeypatch.setattr(previews.shutil, "which", lambda name: None)
    resource = upload(region.accounts["teacher"], "微课.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    preview_build(file_of(resource))
    html = page_of(resource)
    assert "<video" in html and "ffmpeg" not in html and "未安装" not in html


def test_detail_page_shows_a_file_type_label_not_a_mime_type_or_checksum(region):
    resource = upload(region.accounts["teacher"], "试卷.pdf", pdf_bytes())
    sha = file_of(resource).sha256
    html = page_of(resource)
    assert "PDF 文档 · " in html
    assert "application/pdf" not in html and "SHA-256" not in html and sha[:16] not in html


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("试卷.PDF", "PDF 文档"),
        ("课件.pptx", "PPT 演示文稿"),
        ("教案.docx", "Word 文档"),
        ("勾股树.png", "PNG 图片"),
        ("微课.mp4", "MP4 视频"),
        ("朗读.mp3", "MP3 音频"),
        ("资料包.zip", "压缩包"),
        ("说明", "文件"),
        (".bashrc", "文件"),
        ("x.<script>", "文件"),
    ],
)
def test_file_type_labels(name, label):
    assert file_type_label(name) == label


def test_check_warns_when_preview_tools_are_missing(db, monkeypatch):
    monkeypatch.setattr(previews.shutil, "which", lambda name: None)
    found = next(r for r in integrity_report() if r.title == "资源预览工具")
    assert found.ok and found.warning
    assert "pdftoppm" in found.detail and "poppler-utils" in found.detail and "ffmpeg" in found.detail
    out = io.StringIO()
    call_command("selfcheck", stdout=out)  # a warning does not fail the check
    assert "[提示] 资源预览工具" in out.getvalue()


def test_check_passes_quietly_with_the_tools(db, monkeypatch):
    monkeypatch.setattr(previews.shutil, "which", lambda name: f"/usr/bin/{name}")
    found = next(r for r in integrity_report() if r.title == "资源预览工具")
    assert found.ok and not found.warning

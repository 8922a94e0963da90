"""Previews of stored files: a thumbnail for cards and a larger image for the detail page, made once per blob.

Images are scaled with Pillow; a PDF's first page is rendered by ``pdftoppm`` (poppler-utils), a video's poster
frame is taken by ``ffmpeg`` (its duration by ``ffprobe``), audio gets a player and its duration, plain text its
first lines. External tools run without a shell and with a time limit. A missing tool leaves the file without a
preview (``none``, with a note for the operator saying which package is missing), a failure marks it ``failed``
with the reason: neither ever touches the upload itself. Files land next to the blob,
``previews/<sha[:2]>/<sha>/<name>``.

The note is the operator's (``zhijiao check`` names missing tools; ``resources_previews --failed`` retries): users
see :func:`preview_caption`, a page count or duration when the preview is ready and a neutral placeholder otherwise.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from zhijiao.access.types import Actor
from zhijiao.core.errors import NotFound
from zhijiao.resources import selectors
from zhijiao.resources.models import PreviewState, ResourceFile
from zhijiao.resources.storage import blob_local, preview_get, preview_put

logger = logging.getLogger("zhijiao.resources")

THUMB = "thumb.jpg"  # 480 px wide, for cards
LARGE = "large.jpg"  # up to 1280 px wide, for the detail page
EXCERPT = "excerpt.txt"  # the first lines of a text file
NAMES = {THUMB: "image/jpeg", LARGE: "image/jpeg", EXCERPT: "text/plain; charset=utf-8"}
IMAGE_KINDS = {"image", "pdf", "video"}  # kinds whose preview is a picture

THUMB_WIDTH = 480
LARGE_WIDTH = 1280
PDF_DPI = 72
TOOL_SECONDS = 60
EXCERPT_LINES = 30
EXCERPT_CHARS = 3000
TEXT_MIMES = {"text/plain", "text/markdown", "text/csv"}


TOOLS = {"pdftoppm": "poppler-utils", "pdfinfo": "poppler-utils", "ffmpeg": "ffmpeg", "ffprobe": "ffmpeg"}
NO_PREVIEW = "暂无预览，可下载查看"
NO_PREVIEW_FOR_TYPE = "该类型文件暂不提供在线预览，请下载后查看"
PENDING = "预览生成中，稍后刷新页面即可查看"


class PreviewUnavailable(Exception):
    """The server lacks a tool: the file keeps no preview, and the note says why."""


class PreviewFailed(Exception):
    """The tool ran and failed (or timed out) on this file."""


@dataclass(frozen=True)
class Outcome:
    state: str
    kind: str = ""
    note: str = ""


def preview_kind(mime: str) -> str:
    """The kind of preview a MIME type gets, or "" for none (zip, Office documents …)."""
    if mime == "application/pdf":
        return "pdf"
    major = mime.split("/", 1)[0]
    if major in ("image", "video", "audio"):
        return major
    if mime in TEXT_MIMES:
        return "text"
    return ""


def _tool(name: str, package: str, what: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise PreviewUnavailable(f"服务器未安装 {package}，无法生成{what}")
    return found


def _run(args: list[str], what: str) -> subprocess.CompletedProcess[bytes]:
    try:
        done = subprocess.run(args, capture_output=True, timeout=TOOL_SECONDS, check=False, stdin=subprocess.DEVNULL)  # noqa: S603
    except subprocess.TimeoutExpired as exc:
        raise PreviewFailed(f"{what}超时（{TOOL_SECONDS} 秒）") from exc
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PreviewFailed(f"{what}失败：{lines[-1][:120] if lines else f'退出码 {done.returncode}'}")
    return done


def _jpeg(image: Image.Image, width: int) -> bytes:
    image = image.copy()
    if image.width > width:
        image.thumbnail((width, round(image.height * width / image.width) or 1), Image.Resampling.LANCZOS)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")  # transparent PNGs on white, not black
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()


def _pictures(sha256: str, source: Path) -> None:
    """Thumbnail and large image from any picture Pillow reads."""
    try:
        with Image.open(source) as opened:
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PreviewFailed(f"无法读取图片：{exc}"[:150]) from exc
    preview_put(sha256, LARGE, _jpeg(image, LARGE_WIDTH))
    preview_put(sha256, THUMB, _jpeg(image, THUMB_WIDTH))


def _duration(path: Path) -> str:
    """ "时长 m:ss" from ffprobe, or "" when ffprobe is missing or cannot tell."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return ""
    try:
        done = _run(
            [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", str(path)],
            "读取时长",
        )
        seconds = round(float(done.stdout.decode().strip()))
    except (PreviewFailed, ValueError):
        return ""
    hours, rest = divmod(seconds, 3600)
    return f"时长 {hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"时长 {rest // 60}:{rest % 60:02d}"


def _pdf_pages(path: Path) -> str:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return ""
    try:
        done = _run([pdfinfo, str(path)], "读取页数")
    except PreviewFailed:
        return ""
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Pages:"):
            return f"共 {line.split(':', 1)[1].strip()} 页"
    return ""


def _pdf(sha256: str, path: Path, work: Path) -> str:
    pdftoppm = _tool("pdftoppm", "poppler-utils", " PDF 首页预览")
    prefix = work / "page"
    args = [pdftoppm, "-f", "1", "-l", "1", "-png", "-r", str(PDF_DPI), "-singlefile", str(path), str(prefix)]
    _run(args, "PDF 渲染")
    _pictures(sha256, prefix.with_suffix(".png"))
    return _pdf_pages(path)


def _video(sha256: str, path: Path, work: Path) -> str:
    ffmpeg = _tool("ffmpeg", "ffmpeg", "视频封面")
    poster = work / "poster.png"
    for offset in ("1", "0"):  # a clip shorter than a second has no frame at 1 s
        _run(
            [ffmpeg, "-nostdin", "-v", "error", "-y", "-ss", offset, "-i", str(path), "-frames:v", "1", str(poster)],
            "截取视频封面",
        )
        if poster.exists() and poster.stat().st_size > 0:
            break
    else:
        raise PreviewFailed("截取视频封面失败：视频中没有可用的画面")
    _pictures(sha256, poster)
    return _duration(path)


def _text(sha256: str, path: Path) -> None:
    with path.open("rb") as f:
        head = f.read(EXCERPT_CHARS * 4)
    for encoding in ("utf-8-sig", "gb18030"):  # teachers' files are often GBK from older Windows editors
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # only the cut at the end of the sample is broken
                text = head[: exc.start].decode(encoding)
                break
    else:
        raise PreviewFailed("无法识别文本编码（支持 UTF-8 与 GB18030）")
    lines = text.replace("\r\n", "\n").split("\n")[:EXCERPT_LINES]
    preview_put(sha256, EXCERPT, "\n".join(lines)[:EXCERPT_CHARS].encode())


def _make(file: ResourceFile, kind: str) -> Outcome:
    with blob_local(file.sha256) as path, tempfile.TemporaryDirectory(prefix="zhijiao-preview-") as work:
        note = ""
        if kind == "image":
            _pictures(file.sha256, path)
        elif kind == "pdf":
            note = _pdf(file.sha256, path, Path(work))
        elif kind == "video":
            note = _video(file.sha256, path, Path(work))
        elif kind == "audio":
            note = _duration(path)
        else:
            _text(file.sha256, path)
    return Outcome(PreviewState.READY, kind, note)


def preview_tools_missing() -> dict[str, str]:
    """The preview tools this server lacks, each with the Debian package that brings it."""
    return {tool: package for tool, package in TOOLS.items() if shutil.which(tool) is None}


def preview_caption(file: ResourceFile) -> str:
    """What users read under (or instead of) a preview: the page count or duration once it is ready, otherwise a
    neutral line. Never the operator's note (a missing package, a tool's error)."""
    if file.preview_state == PreviewState.READY:
        return file.preview_note
    if file.preview_state == PreviewState.PENDING:
        return PENDING
    return NO_PREVIEW if preview_kind(file.mime) else NO_PREVIEW_FOR_TYPE


def preview_build(file: ResourceFile) -> Outcome:
    """Make the previews of one stored file and record the outcome on it. Never raises for a bad file."""
    kind = preview_kind(file.mime)
    if not kind:
        outcome = Outcome(PreviewState.NONE, "", NO_PREVIEW_FOR_TYPE)
    else:
        try:
            outcome = _make(file, kind)
        except PreviewUnavailable as exc:
            logger.warning("no preview of %s: %s", file.sha256, exc)  # the operator's to fix (zhijiao check)
            outcome = Outcome(PreviewState.NONE, kind, str(exc))
        except PreviewFailed as exc:
            logger.warning("preview of %s failed: %s", file.sha256, exc)
            outcome = Outcome(PreviewState.FAILED, kind, str(exc)[:200])
        except Exception as exc:  # a preview must never take the worker down; the reason is kept on the file
            logger.exception("preview of %s failed", file.sha256)
            outcome = Outcome(PreviewState.FAILED, kind, f"生成预览时出错：{type(exc).__name__}")
    ResourceFile.objects.filter(pk=file.pk).update(
        preview_state=outcome.state, preview_kind=outcome.kind, preview_note=outcome.note[:200]
    )
    file.preview_state, file.preview_kind, file.preview_note = outcome.state, outcome.kind, outcome.note[:200]
    return outcome


def preview_from_picture(file: ResourceFile, picture: Image.Image, *, kind: str, note: str = "") -> Outcome:
    """Record a picture the caller already has as the file's preview (the demo library draws its own PDF's page
    when poppler-utils is missing), exactly as :func:`preview_build` would store a rendered one."""
    preview_put(file.sha256, LARGE, _jpeg(picture, LARGE_WIDTH))
    preview_put(file.sha256, THUMB, _jpeg(picture, THUMB_WIDTH))
    outcome = Outcome(PreviewState.READY, kind, note)
    ResourceFile.objects.filter(pk=file.pk).update(preview_state=outcome.state, preview_kind=kind, preview_note=note)
    file.preview_state, file.preview_kind, file.preview_note = outcome.state, kind, note
    return outcome


def preview_excerpt(file: ResourceFile) -> str:
    """The stored first lines of a text file ("" when there are none)."""
    if file.preview_state != PreviewState.READY or file.preview_kind != "text":
        return ""
    data = preview_get(file.sha256, EXCERPT)
    return data.decode("utf-8", "replace") if data else ""


def preview_image_for(*, actor: Actor | None, resource_id: int, name: str) -> bytes:
    """A preview image of a resource's current file, for someone who may see the resource; NotFound otherwise
    (no resource, not visible, no such preview)."""
    resource = selectors.resource_get_for(actor=actor, resource_id=resource_id)
    version = resource.current_version
    if name not in (THUMB, LARGE) or version is None:
        raise NotFound()
    file = version.file
    if file.preview_state != PreviewState.READY or file.preview_kind not in IMAGE_KINDS:
        raise NotFound()
    data = preview_get(file.sha256, name)
    if data is None:
        raise NotFound("预览文件缺失")
    return data

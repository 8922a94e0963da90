"""A file's type in words a teacher uses ("PDF 文档", "Word 文档", "MP4 视频"), from its name: pages show this,
never a MIME type or a checksum."""

from __future__ import annotations

import mimetypes

LABELS = {
    "pdf": "PDF 文档",
    "doc": "Word 文档",
    "docx": "Word 文档",
    "wps": "WPS 文字",
    "xls": "Excel 表格",
    "xlsx": "Excel 表格",
    "et": "WPS 表格",
    "csv": "CSV 表格",
    "ppt": "PPT 演示文稿",
    "pptx": "PPT 演示文稿",
    "dps": "WPS 演示",
    "txt": "文本文件",
    "md": "文本文件",
    "zip": "压缩包",
    "rar": "压缩包",
    "7z": "压缩包",
    "html": "网页文件",
    "htm": "网页文件",
    "swf": "动画文件",
}
BY_MAJOR = {"image": "图片", "video": "视频", "audio": "音频"}


def file_type_label(name: str) -> str:
    """ "PDF 文档", "PNG 图片", "MP4 视频" …; "文件" when the name has no extension."""
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower() if dot and stem else ""
    if not ext or len(ext) > 8 or not ext.isascii() or not ext.isalnum():
        return "文件"
    if ext in LABELS:
        return LABELS[ext]
    guessed, _ = mimetypes.guess_type(name, strict=False)
    major = (guessed or "").split("/", 1)[0]
    if major in BY_MAJOR:
        return f"{ext.upper()} {BY_MAJOR[major]}"
    return f"{ext.upper()} 文件"

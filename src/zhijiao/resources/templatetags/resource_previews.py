"""Preview helpers for ``_preview.html`` and the file block: ``{% preview_excerpt file as text %}`` (the stored first
lines of a text resource), ``{% preview_caption file as note %}`` (what users read about the preview) and
``{{ file|file_label }}`` (a human file-type label such as "PDF 文档")."""

from __future__ import annotations

from django import template

from zhijiao.resources.filetypes import file_type_label
from zhijiao.resources.models import ResourceFile
from zhijiao.resources.previews import preview_caption as _caption
from zhijiao.resources.previews import preview_excerpt as _excerpt

register = template.Library()


@register.simple_tag
def preview_excerpt(file: ResourceFile) -> str:
    return _excerpt(file)


@register.simple_tag
def preview_caption(file: ResourceFile) -> str:
    return _caption(file)


@register.filter
def file_label(name: str) -> str:
    """The file-type label of a file name ("PDF 文档", "MP4 视频" …)."""
    return file_type_label(name)

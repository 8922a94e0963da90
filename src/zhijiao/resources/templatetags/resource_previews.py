"""``{% preview_excerpt file as text %}``: the stored first lines of a text resource, for ``_preview.html``."""

from __future__ import annotations

from django import template

from zhijiao.resources.models import ResourceFile
from zhijiao.resources.previews import preview_excerpt as _excerpt

register = template.Library()


@register.simple_tag
def preview_excerpt(file: ResourceFile) -> str:
    return _excerpt(file)

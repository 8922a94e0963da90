"""Pictures in items: upload (PNG, JPEG, GIF, WebP up to 2 MB, checked by their first bytes, never SVG), and the
stem's ``![说明](image:ID)`` marks turned into ``<img>`` for the pages (escaped text around them, only the item's
own pictures). The bytes go to the resource centre's checksum store (``resources.storage``) and are served through
its file rules (``resources.views_files.file_answer``: inline only for raster images, sandboxed, files origin)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.core.errors import ZhijiaoError
from zhijiao.identity.models import Account
from zhijiao.learning.errors import LearningError
from zhijiao.learning.models import Item, ItemImage, ItemStatus
from zhijiao.resources.storage import blob_store

MAX_BYTES = 2 * 1024 * 1024
SIGNATURES = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}
IMAGE_MARK = re.compile(r"!\[([^\]\n]{0,60})\]\(image:(\d{1,10})\)")


def image_kind(name: str, head: bytes) -> str | None:
    """The extension when the name and the first bytes agree on an accepted raster type, else None."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in SIGNATURES or not any(head.startswith(sig) for sig in SIGNATURES[ext]):
        return None
    if ext == "webp" and head[8:12] != b"WEBP":
        return None
    return ext


@transaction.atomic
def item_image_add(*, actor: Account, item: Item, name: str, data: bytes, origin: Origin) -> ItemImage:
    """The author adds a picture to an item they may still edit."""
    if item.author_id != actor.pk:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_AUTHOR, status=403)
    if item.status == ItemStatus.SUBMITTED:
        raise ZhijiaoError(LearningError.LEARNING_ITEM_NOT_EDITABLE, status=403)
    if not data:
        raise ZhijiaoError(LearningError.LEARNING_IMAGE_INVALID, field="图片", detail="文件是空的")
    if len(data) > MAX_BYTES:
        raise ZhijiaoError(LearningError.LEARNING_IMAGE_INVALID, field="图片", detail="不能超过 2 MB")
    kind = image_kind(name, data[:16])
    if kind is None:
        raise ZhijiaoError(
            LearningError.LEARNING_IMAGE_INVALID, field="图片", detail="只支持 PNG、JPEG、GIF、WebP 格式的图片"
        )
    stored = blob_store([data], max_bytes=MAX_BYTES)
    clean = re.sub(r"[^\w.\-]", "_", name)[-80:] or f"image.{kind}"
    image = ItemImage.objects.create(item=item, sha256=stored.sha256, name=clean, size=stored.size, created_by=actor)
    audit_record(actor=actor, action="item.image_add", origin=origin, target=Target("item", str(item.pk), clean))
    return image


def rich_text(text: str, image_ids: set[int]) -> SafeString:
    """``text`` escaped, each ``![说明](image:ID)`` of one of ``image_ids`` as an ``<img>``; other marks stay text."""
    out: list[str] = []
    last = 0
    for m in IMAGE_MARK.finditer(text):
        image_id = int(m.group(2))
        if image_id not in image_ids:
            continue
        out.append(escape(text[last : m.start()]))
        alt = escape(m.group(1) or "图")
        out.append(f'<img class="it-img" src="/learning/items/images/{image_id}/" alt="{alt}" loading="lazy">')
        last = m.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out).replace("\n", "<br>"))  # noqa: S308  (every piece escaped above)

"""Exporting the audit log: the rows of the audit page's filters as CSV (UTF-8 with BOM, for Excel) or xlsx.

Both stream in bounded memory: rows come from the database in chunks and go out as they are written (CSV
line by line, xlsx through :mod:`zhijiao.audit.xlsx`), so the download starts at once whatever the size.
The export is itself recorded in the audit log, and covers the events up to that record, so two exports
of the same filters and moment agree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zhijiao.access.types import Actor
from zhijiao.audit.actions import CHANNEL_LABELS, RESULT_LABELS, TARGET_LABELS, action_info, field_labels
from zhijiao.audit.models import AuditEvent
from zhijiao.audit.selectors import AuditFilters, audit_event_list
from zhijiao.audit.services import Origin, Target, audit_record
from zhijiao.audit.xlsx import xlsx_stream

HEADERS = [
    "时间",
    "账号",
    "来源IP",
    "操作",
    "操作代码",
    "对象类型",
    "对象ID",
    "对象",
    "结果",
    "涉及字段",
    "渠道",
    "客户端",
]
WIDTHS = (20, 14, 16, 18, 22, 10, 10, 36, 6, 18, 8, 40)
CHUNK = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Export:
    rows: Iterator[list[str]]
    count: int
    event: AuditEvent  # the audit record of this export


def _safe(text: str) -> str:
    """Cells that spreadsheets would run as formulas get a leading apostrophe (CSV injection)."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _row(values: tuple) -> list[str]:
    at, username, ip, action, target_type, target_id, target_label, fields, channel, user_agent = values
    info = action_info(action)
    return [
        timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"),
        username or "",
        ip or "",
        info.label,
        action,
        TARGET_LABELS.get(target_type, target_type),
        target_id,
        target_label,
        RESULT_LABELS[info.result],
        "、".join(field_labels(list(fields or []))),
        CHANNEL_LABELS.get(channel, channel),
        user_agent,
    ]


@transaction.atomic
def audit_export(*, actor: Actor, filters: AuditFilters, fmt: str, origin: Origin) -> Export:
    """Record the export (``audit.export``, naming the filters and the row count) and return its rows, lazily.

    Raises ``Forbidden`` for accounts that may not read the audit log (checked by the selector).
    """
    events = audit_event_list(actor=actor, filters=filters)
    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    events = events.filter(id__lte=last_id)
    count = events.count()
    described = "，".join(f"{k}={v}" for k, v in filters.active.items()) or "全部"
    event = audit_record(
        actor=actor,
        action="audit.export",
        origin=origin,
        target=Target("audit_event", str(last_id), f"导出 {count} 条（{described}）"),
        fields=[fmt],
    )
    values = events.values_list(
        "at",
        "actor_username",
        "ip",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "fields",
        "channel",
        "user_agent",
    )
    return Export(rows=(_row(v) for v in values.iterator(chunk_size=CHUNK)), count=count, event=event)


def csv_stream(rows: Iterator[list[str]]) -> Iterator[bytes]:
    """CSV lines as UTF-8 bytes, the BOM first so Excel reads the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_safe(value) for value in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_bytes(rows: Iterator[list[str]]) -> Iterator[bytes]:
    """The rows as an xlsx workbook, streamed (see :mod:`zhijiao.audit.xlsx`)."""
    return xlsx_stream(HEADERS, rows, sheet="审计日志", widths=WIDTHS)

"""Anchors: copies of the audit chain's head kept outside the database, in an append-only file.

The keyed chain (:mod:`zhijiao.audit.chain`) stops a rewrite; it cannot show that its newest events were cut off,
since what is left is still a valid chain. An anchor can: each line records a moment, the newest event's id and
hash, and an HMAC of the three under the audit key::

    2026-12-06T02:30:00.000000Z 1234 <hash of #1234> <hmac>

``zhijiao check`` and a periodic job append a line whenever the head has moved; verification then demands that
every anchored event is still in the log with the same hash. The file is only ever appended to (``O_APPEND``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from zhijiao.audit.chain import anchor_mac


@dataclass(frozen=True)
class Anchor:
    line: int  # 1-based line number in the file
    at: str  # UTC, ISO 8601 with microseconds and Z
    event_id: int
    hash: str
    sealed: bool  # its HMAC matches under the current key

    @property
    def at_local(self) -> str:
        """The anchoring time in Beijing time, for messages."""
        try:
            moment = datetime.strptime(self.at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        except ValueError:
            return self.at
        return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


def anchors_read(path: Path, key: bytes) -> list[Anchor]:
    """Every line of the anchor file, oldest first (an unreadable line is an unsealed anchor); none if no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        try:
            at, event_id, head_hash, mac = parts[0], int(parts[1]), parts[2], parts[3]
        except (IndexError, ValueError):
            anchors.append(Anchor(number, "", 0, "", sealed=False))
            continue
        sealed = len(parts) == 4 and mac == anchor_mac(key, at, event_id, head_hash)
        anchors.append(Anchor(number, at, event_id, head_hash, sealed=sealed))
    return anchors


def anchor_append(path: Path, key: bytes, *, event_id: int, head_hash: str, at: datetime) -> str:
    """Append one sealed anchor line (creating the file 0600) and flush it to disk; return the line."""
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    line = f"{stamp} {event_id} {head_hash} {anchor_mac(key, stamp, event_id, head_hash)}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return line.strip()

"""The audit log's hash chain: how one event's content is sealed onto its predecessor's hash.

Each event stores ``prev_hash`` (its predecessor's ``hash``) and
``hash = HMAC-SHA256(key, prev_hash + canonical JSON of its content)``, the content being every column but the two
hashes (the actor's id included). Altering a row breaks its own hash; deleting or inserting one breaks the next
row's link; and because the key (``settings.ZHIJIAO_AUDIT_KEY``) is kept outside the database, whoever can write
the database cannot re-seal a rewritten chain. Cutting events off the end is caught by the anchors
(:mod:`zhijiao.audit.anchors`). The format is a contract: migrations import it, so change it only with a new
migration that re-seals every row.

The chain's first format (plain SHA-256 without the actor's id, :func:`legacy_digest`) is kept only for the
migrations that built and then re-sealed it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC
from functools import lru_cache
from typing import Any

GENESIS = "0" * 64  # the predecessor of the first event ever written

# The columns a hash covers, in the order ``values_list`` returns them (``id`` last: known only after insert).
CONTENT_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "fields",
    "ip",
    "user_agent",
    "channel",
    "id",
)

# one encoder, built once: json.dumps with options builds a new one per call, a third of the cost at scale

_canonical = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def _timestamp(at) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@lru_cache(maxsize=4)
def _keyed(key: bytes) -> hmac.HMAC:
    # the key's inner and outer pads hashed once; each event copies this state (a quarter of the cost per event)
    return hmac.new(key, digestmod=hashlib.sha256)


def event_digest(key: bytes, prev_hash: str, row: Sequence[Any]) -> str:
    """The keyed hash of an event whose content is ``row`` (values of :data:`CONTENT_FIELDS`, in that order)."""
    content = dict(zip(CONTENT_FIELDS, row, strict=True))
    content["at"] = _timestamp(content["at"])
    mac = _keyed(key).copy()
    mac.update((prev_hash + _canonical(content)).encode())
    return mac.hexdigest()


def anchor_mac(key: bytes, at: str, event_id: int, head_hash: str) -> str:
    """The keyed hash of one anchor line (its time, the anchored event's id and hash)."""
    return hmac.new(key, f"{at} {event_id} {head_hash}".encode(), hashlib.sha256).hexdigest()


# The first format: no key, no actor id. Read only by migrations 0003 (which built it) and 0004 (which re-sealed it).
LEGACY_CONTENT_FIELDS = tuple(f for f in CONTENT_FIELDS if f != "actor_id")


def legacy_digest(prev_hash: str, row: Sequence[Any]) -> str:
    """The unkeyed hash of the chain's first format (``row`` in :data:`LEGACY_CONTENT_FIELDS` order)."""
    content = dict(zip(LEGACY_CONTENT_FIELDS, row, strict=True))
    content["at"] = _timestamp(content["at"])
    return hashlib.sha256((prev_hash + _canonical(content)).encode()).hexdigest()

"""The audit log's hash chain: how one event's content is sealed onto its predecessor's hash.

Each event stores ``prev_hash`` (its predecessor's ``hash``) and
``hash = sha256(prev_hash + canonical JSON of its content)``. Altering a row breaks its own hash;
deleting or inserting one breaks the next row's link. The format is a contract: the data migration that
chained the rows written before the chain existed imports it too, so change it only with a new migration
that re-seals every row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC
from typing import Any

GENESIS = "0" * 64  # the predecessor of the first event ever written

# The columns a hash covers, in the order ``values_list`` returns them (``id`` last: known only after insert).
# The actor's foreign key is left out on purpose: deleting an account sets it to NULL, the username stays.
CONTENT_FIELDS = (
    "at",
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


def event_digest(prev_hash: str, row: Sequence[Any]) -> str:
    """The hash of an event whose content is ``row`` (values of :data:`CONTENT_FIELDS`, in that order)."""
    at, actor_username, action, target_type, target_id, target_label, fields, ip, user_agent, channel, pk = row
    content = {
        "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_username": actor_username,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "fields": fields,
        "ip": ip,
        "user_agent": user_agent,
        "channel": channel,
        "id": pk,
    }
    return hashlib.sha256((prev_hash + _canonical(content)).encode()).hexdigest()

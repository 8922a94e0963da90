"""Frame helpers for the bulk path (``attach`` lives in core: the people frame services use it too)."""

from __future__ import annotations

from zhijiao.core.frames import attach

__all__ = ["attach"]

"""Fixed-window request limits for the exchange API, counted in Django's cache.

A client is a bearer token (counted by token id) or, for the browser, the signed-in account. The window is one
minute; the limit is ``ZHIJIAO_EXCHANGE_RATE`` requests per window (default 120).

The counters live in the ``default`` cache. Without ``CACHES`` in settings that is Django's LocMemCache, which
counts per process: with N web processes a client gets up to N× the limit. A shared cache (Redis) makes the
limit exact; ``cache.incr`` is atomic there.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches

from zhijiao.core.errors import ZhijiaoError
from zhijiao.intake.errors import RateLimitError

WINDOW_SECONDS = 60


class RateLimited(ZhijiaoError):
    """429 with the seconds until the window ends (sent as ``Retry-After``)."""

    def __init__(self, *, retry_after: int, limit: int, window: int) -> None:
        super().__init__(
            RateLimitError.INTAKE_RATE_LIMITED,
            detail=f"每{window}秒最多{limit}次，请{retry_after}秒后重试",
            status=429,
        )
        self.retry_after = retry_after


def exchange_rate() -> int:
    """Requests per window for the exchange endpoints (``ZHIJIAO_EXCHANGE_RATE``)."""
    return settings.ZHIJIAO_EXCHANGE_RATE


def client_key(request: Any) -> str:
    """Who is counted: the bearer token when there is one, else the session's account."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"token:{token.pk}"
    return f"account:{request.auth.pk}"


def rate_limit_hit(
    *, bucket: str, client: str, limit: int, window: int = WINDOW_SECONDS, now: float | None = None
) -> int:
    """Count one request of ``client`` in ``bucket``; raise :class:`RateLimited` past ``limit``. Returns the count."""
    now = time.time() if now is None else now
    start = int(now // window) * window
    key = f"zj:ratelimit:{bucket}:{client}:{start}"
    cache = caches["default"]
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=max(1, math.ceil(start + window - now)), limit=limit, window=window)
    return count


def exchange_rate_limit(request: Any) -> None:
    """The exchange endpoints' limit, shared by push and pull."""
    rate_limit_hit(bucket="exchange", client=client_key(request), limit=exchange_rate())

"""Which grading queues have a live worker, asked of Celery itself (cached briefly)."""

from __future__ import annotations

import time

from celery.exceptions import CeleryError
from kombu.exceptions import OperationalError as BrokerError

from config.celery import app

_CACHE_SECONDS = 15.0
_cache: dict[str, tuple[float, bool]] = {}


def queue_has_worker(queue: str, *, timeout: float = 1.0) -> bool:
    """True if some online worker consumes ``queue``. Cached: the broker round trip takes ~1 s."""
    now = time.monotonic()
    cached = _cache.get(queue)
    if cached is not None and now - cached[0] < _CACHE_SECONDS:
        return cached[1]
    try:
        replies = app.control.inspect(timeout=timeout).active_queues() or {}
    except (CeleryError, BrokerError, OSError):
        replies = {}
    online = any(any(item.get("name") == queue for item in queues) for queues in replies.values())
    _cache[queue] = (now, online)
    return online


def forget_worker_cache() -> None:
    _cache.clear()

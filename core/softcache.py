"""Values kept in the cache when it answers and computed when it does not: Redis is never a dependency (a dead
cache costs a recomputation, never an error or a stale value). The caller's key must change whenever the value
would (a publication version, a fingerprint of the records counted)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

logger = logging.getLogger(__name__)
T = TypeVar("T")


def cached_or_computed(key: str, compute: Callable[[], T], *, timeout: int) -> T:
    try:
        found = cache.get(key)
    except Exception as exc:
        logger.warning("cache unavailable (%s): %s computed", type(exc).__name__, key.split(":", 1)[0])
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, timeout)
    except Exception as exc:
        logger.warning("cache unavailable (%s): %s not kept", type(exc).__name__, key.split(":", 1)[0])
    return value

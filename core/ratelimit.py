"""Counting attempts in the cache (Redis in production) to slow down guessing and flooding.

The counter lives for one window from the first attempt; losing the cache resets the counts, which is acceptable
for a brake (the secrets themselves are long enough that the brake is a second line, not the first).

Redis is a cache here, never a dependency of a request: when the cache backend fails (any exception), the counts
are kept in this process instead — per worker process, with the same windows — and a warning is logged at most once
a minute. The brake keeps braking, and nobody gets a 500 because Redis is down.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)

_WARN_EVERY_SECONDS = 60.0
_FALLBACK_MAX_KEYS = 100_000  # a flood of distinct addresses must not grow the fallback without bound


class _LocalCounter:
    """A thread-safe in-process counter with expiry: key -> (count, expires at on the monotonic clock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def count(self, key: str) -> int:
        with self._lock:
            entry = self._counts.get(key)
            if entry is None or entry[1] <= time.monotonic():
                return 0
            return entry[0]

    def hit(self, key: str, window_seconds: int) -> int:
        now = time.monotonic()
        with self._lock:
            entry = self._counts.get(key)
            if entry is None or entry[1] <= now:
                if len(self._counts) >= _FALLBACK_MAX_KEYS:
                    self._purge(now)
                entry = (0, now + window_seconds)
            entry = (entry[0] + 1, entry[1])
            self._counts[key] = entry
            return entry[0]

    def _purge(self, now: float) -> None:
        self._counts = {key: entry for key, entry in self._counts.items() if entry[1] > now}
        if len(self._counts) >= _FALLBACK_MAX_KEYS:  # all live: drop the oldest windows rather than grow
            for key in sorted(self._counts, key=lambda k: self._counts[k][1])[: _FALLBACK_MAX_KEYS // 10]:
                del self._counts[key]


_fallback = _LocalCounter()
_warned_at: list[float] = []
_warn_lock = threading.Lock()


def _cache_failed(exc: Exception) -> None:
    # No key, address or message text: only the exception's type, so no personal data reaches the log.
    now = time.monotonic()
    with _warn_lock:
        if _warned_at and now - _warned_at[0] < _WARN_EVERY_SECONDS:
            return
        _warned_at[:] = [now]
    logger.warning("rate limiter: cache unavailable (%s); counting in this process", type(exc).__name__)


def client_ip(request: HttpRequest) -> str:
    header = settings.GOVOPEN_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    return (value.split(",")[0].strip() if value else request.META.get("REMOTE_ADDR", "")) or "unknown"


def _key(scope: str, subject: str) -> str:
    # Hashed so neither addresses nor tracking codes sit in the cache in clear.
    return f"rl:{scope}:{hashlib.sha256(subject.encode()).hexdigest()[:32]}"


def count(scope: str, subject: str) -> int:
    key = _key(scope, subject)
    try:
        cached = int(cache.get(key) or 0)
    except Exception as exc:  # any cache backend failure
        _cache_failed(exc)
        return _fallback.count(key)
    # Attempts counted while the cache was down still count until their window ends.
    return cached + _fallback.count(key)


def hit(scope: str, subject: str, *, window_seconds: int) -> int:
    """Count one attempt and return the count within the current window."""
    key = _key(scope, subject)
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            cached = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds)
            cached = 1
    except Exception as exc:  # any cache backend failure
        _cache_failed(exc)
        return _fallback.hit(key, window_seconds)
    return cached + _fallback.count(key)

"""Counting attempts in the cache (Redis in production) to slow down guessing and flooding.

The counter lives for one window from the first attempt; losing the cache resets the counts, which is acceptable
for a brake (the secrets themselves are long enough that the brake is a second line, not the first).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    header = settings.GOVOPEN_CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    return (value.split(",")[0].strip() if value else request.META.get("REMOTE_ADDR", "")) or "unknown"


def _key(scope: str, subject: str) -> str:
    # Hashed so neither addresses nor tracking codes sit in the cache in clear.
    return f"rl:{scope}:{hashlib.sha256(subject.encode()).hexdigest()[:32]}"


def count(scope: str, subject: str) -> int:
    return int(cache.get(_key(scope, subject)) or 0)


def hit(scope: str, subject: str, *, window_seconds: int) -> int:
    """Count one attempt and return the count within the current window."""
    key = _key(scope, subject)
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1

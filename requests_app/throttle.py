"""Brakes on guessing an applicant's secret on the status page (R27), built on ``core.ratelimit``'s count/hit.

Only wrong secrets are counted (a right one costs nothing), and a stranger can never lock a code's owner out:

1. Per address: an address with ``GOVOPEN_STATUS_LIMIT_PER_IP`` wrong secrets in the window is refused for every
   code until the window ends.
2. Per address and code: ``GOVOPEN_STATUS_LIMIT_PER_IP_CODE`` wrong secrets on one code from one address refuse
   that address for that code until the window ends.
3. Per code, slowed but never locked: once a code has had ``GOVOPEN_STATUS_LIMIT_PER_CODE`` wrong secrets in the
   window (from any addresses), each further failure on it makes the failing address wait
   ``GOVOPEN_STATUS_CODE_RETRY_SECONDS`` (one to two intervals, see below) before it may try that code again. An
   address that has not failed on the code is always checked, so the owner, entering the right secret from their
   own address, gets in at once whatever others typed; a distributed guesser gets one try per address and interval,
   on top of each address's own limits, against a 60-bit secret.

Counters live in fixed windows: the window's number is part of the counted subject, so a limit ends at a moment
computed from the clock (and a test can travel past it) rather than at the cache's TTL, which only clears old keys.
A retry mark is looked up in the current and the previous interval, so the wait after a failure is at least one
interval, even when the failure fell just before an interval's end.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.translation import gettext as _

from core import ratelimit

SCOPE_IP = "status-ip"
SCOPE_IP_CODE = "status-ip-code"
SCOPE_CODE = "status-code"
SCOPE_RETRY = "status-retry"


def _window() -> int:
    return settings.GOVOPEN_STATUS_LIMIT_WINDOW_MINUTES * 60


def _bucket(seconds: int, *, back: int = 0) -> int:
    return int(time.time() // seconds) - back


def _subject(*parts: str, seconds: int, back: int = 0) -> str:
    return "|".join([str(_bucket(seconds, back=back)), *parts])


def refusal(*, ip: str, code: str) -> str | None:
    """Why this address may not try this code now (a Chinese sentence for a 429), or None to check the secret."""
    window = _window()
    minutes = settings.GOVOPEN_STATUS_LIMIT_WINDOW_MINUTES
    if ratelimit.count(SCOPE_IP, _subject(ip, seconds=window)) >= settings.GOVOPEN_STATUS_LIMIT_PER_IP:
        return _("本网络查询次数过多，请 %(m)s 分钟后再试。") % {"m": minutes}
    if code and ratelimit.count(SCOPE_IP_CODE, _subject(ip, code, seconds=window)) >= (
        settings.GOVOPEN_STATUS_LIMIT_PER_IP_CODE
    ):
        return _("该查询码在本网络输错次数过多，请 %(m)s 分钟后再试。") % {"m": minutes}
    retry = settings.GOVOPEN_STATUS_CODE_RETRY_SECONDS
    if code and any(ratelimit.count(SCOPE_RETRY, _subject(ip, code, seconds=retry, back=back)) for back in (0, 1)):
        return _("该查询码近期多次输入错误，请稍候（不超过 %(s)s 秒）再试，并核对查询密码。") % {"s": 2 * retry}
    return None


def record_failure(*, ip: str, code: str) -> None:
    """Count one wrong secret for this address, this address and code, and the code; mark the address to wait
    before its next try on the code once the code has had too many failures."""
    window = _window()
    ratelimit.hit(SCOPE_IP, _subject(ip, seconds=window), window_seconds=window)
    if not code:
        return
    ratelimit.hit(SCOPE_IP_CODE, _subject(ip, code, seconds=window), window_seconds=window)
    failures = ratelimit.hit(SCOPE_CODE, _subject(code, seconds=window), window_seconds=window)
    if failures >= settings.GOVOPEN_STATUS_LIMIT_PER_CODE:
        retry = settings.GOVOPEN_STATUS_CODE_RETRY_SECONDS
        ratelimit.hit(SCOPE_RETRY, _subject(ip, code, seconds=retry), window_seconds=2 * retry)

"""The rate limit of anonymous API clients: ``GOVOPEN_API_RATE_LIMIT`` requests per client address per
``GOVOPEN_API_RATE_WINDOW_SECONDS``, counted by ``core.ratelimit`` (Redis, or this process's own counts while
Redis does not answer, so the limit keeps working and no request fails because Redis is down).

``AnonymousRateThrottle`` is the ``DEFAULT_THROTTLE_CLASSES`` of ``REST_FRAMEWORK``: every DRF view gets it. Under
``/api/`` the middleware counts each request first (it also answers requests that never reach a view: a 304 from
the ETag, a page from the page cache), and the view's throttle then reads that decision instead of counting twice."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from core import ratelimit

SCOPE = "api"
_DECISION = "_govopen_api_throttle_wait"  # set on the HttpRequest: None (allowed) or seconds to wait


def check(request: HttpRequest) -> int | None:
    """Count this request once; None when it is allowed, else the seconds to wait before the window ends (the
    counter keeps no start time, so the whole window: a client told to wait never hits the limit again at once)."""
    if hasattr(request, _DECISION):
        return getattr(request, _DECISION)
    limit = settings.GOVOPEN_API_RATE_LIMIT
    wait = None
    if limit:
        window = settings.GOVOPEN_API_RATE_WINDOW_SECONDS
        if ratelimit.hit(SCOPE, ratelimit.client_ip(request), window_seconds=window) > limit:
            wait = window
    setattr(request, _DECISION, wait)
    return wait


class AnonymousRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._wait: int | None = None

    def allow_request(self, request: Request, view: object) -> bool:
        self._wait = check(getattr(request, "_request", request))
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait

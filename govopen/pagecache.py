"""The anonymous page cache: public pages for visitors without a session, served from the configured Django cache.

A page is looked up and stored only when every condition holds, on the request (GET or HEAD; no cookie but the
ones in ``GOVOPEN_PAGE_CACHE_IGNORED_COOKIES``, i.e. no session, messages or applicant cookie; no Authorization
header; not under ``GOVOPEN_PAGE_CACHE_EXCLUDED_PATHS``: the admin and every applicant page) and, to be stored, on
the response (200, not streamed, no Set-Cookie, no Cache-Control of the view's own, the session untouched and empty,
the visitor anonymous). Views stay as they are; what is public is decided by the views and selectors, and this
middleware only keeps what they gave an anonymous visitor.

The key is the scheme and host, the path, the query string with its parameters sorted, and the publication versions
of ``govopen/pubversion.py`` (the epoch, and the organisation's version for an organisation's pages or the global
one for the others). Every write that changes what the public sees bumps a version after commit, so the next
request renders afresh; entries also expire after ``GOVOPEN_PAGE_CACHE_SECONDS``, which bounds staleness when a bump
is lost. Cacheable responses carry ``Cache-Control: public, max-age=GOVOPEN_PAGE_CACHE_MAX_AGE``, an ETag (a hash of
the body) and Last-Modified (when it was rendered), and conditional requests get a 304.

The responses keep Django's ``Vary: Cookie`` (the session was consulted and found empty): they are the variant for a
visitor without cookies, which is the only variant ever stored or served here.

Redis is never a dependency: when the cache fails the page is rendered and served uncached, the cache is left alone
for ``GOVOPEN_PAGE_CACHE_RETRY_SECONDS`` (so a dead Redis costs one timeout, not one per request), and a warning is
logged at most once a minute.

It sits after WhiteNoise (static files never reach it) and before the session middleware, so a hit costs no session,
user or database work.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import cc_delim_re, get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

from govopen import pubversion

logger = logging.getLogger(__name__)

# Pages that show one organisation's content, keyed by that organisation's version (see govopen/pubversion.py).
ORGANISATION_PAGES = frozenset({
    "disclosure:document", "disclosure:guide", "disclosure:catalogue", "catalog:organisation",
})
# Headers recomputed for every stored page, or never to be replayed.
_NOT_STORED = frozenset({"set-cookie", "cache-control", "etag", "last-modified", "expires", "date"})
_WARN_EVERY_SECONDS = 60.0

_state_lock = threading.Lock()
_down_until: list[float] = [0.0]
_warned_at: list[float] = []


def reset_fault_state() -> None:
    """Forget a recent cache failure (tests that restart the cache, or an operator's shell)."""
    with _state_lock:
        _down_until[0] = 0.0
        _warned_at.clear()


def _cache_failed(exc: Exception) -> None:
    now = time.monotonic()
    with _state_lock:
        _down_until[0] = now + settings.GOVOPEN_PAGE_CACHE_RETRY_SECONDS
        if _warned_at and now - _warned_at[0] < _WARN_EVERY_SECONDS:
            return
        _warned_at[:] = [now]
    logger.warning("page cache: cache unavailable (%s); serving pages uncached", type(exc).__name__)


def _cache_resting() -> bool:
    return time.monotonic() < _down_until[0]


def request_is_cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if any(request.path_info.startswith(prefix) for prefix in settings.GOVOPEN_PAGE_CACHE_EXCLUDED_PATHS):
        return False
    ignored = {settings.CSRF_COOKIE_NAME, *settings.GOVOPEN_PAGE_CACHE_IGNORED_COOKIES} - {
        settings.SESSION_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME,
    }
    # Default deny: any cookie we do not know to be harmless may identify someone (a session, an applicant).
    if any(name not in ignored for name in request.COOKIES):
        return False
    return "HTTP_AUTHORIZATION" not in request.META


def response_is_storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies or response.has_header("Cache-Control"):
        return False
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
    if "*" in vary:
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.modified or not session.is_empty()):
        return False  # the view kept something for this visitor (messages, an applicant's case)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # A page that rendered a CSRF token is this visitor's (the token is theirs); Django sets its cookie then.
    return not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def normalised_query(request: HttpRequest) -> str:
    """The query string as the view reads it (``request.GET``), parameters sorted by name. The values of a repeated
    name keep their order: ``GET.get`` returns the last one, so ``?page=2&page=3`` and ``?page=3&page=2`` differ."""
    pairs = [(name, value) for name, values in request.GET.lists() for value in values]
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


def _organisation_code(request: HttpRequest) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.view_name in ORGANISATION_PAGES:
        return str(match.kwargs.get("code", "")) or None
    return None


def page_key(request: HttpRequest, *, epoch: int, version: int, organisation_code: str | None) -> str:
    scope = f"org:{organisation_code}" if organisation_code else "all"
    url = f"{request.scheme}://{request.get_host()}{request.path}?{normalised_query(request)}"
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()
    return f"page:{epoch}:{scope}:{version}:{digest}"


def _public_headers(response: HttpResponse, *, etag: str, rendered_at: float) -> None:
    response["Cache-Control"] = f"public, max-age={settings.GOVOPEN_PAGE_CACHE_MAX_AGE}"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(rendered_at)


def _from_entry(entry: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(entry["content"], status=200)
    for name, value in entry["headers"]:
        response[name] = value
    _public_headers(response, etag=entry["etag"], rendered_at=entry["rendered_at"])
    return response


def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    last_modified = parse_http_date_safe(response["Last-Modified"])
    return get_conditional_response(request, etag=response["ETag"], last_modified=last_modified, response=response)


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = settings.GOVOPEN_PAGE_CACHE_SECONDS
        if timeout <= 0 or not request_is_cacheable(request):
            return self.get_response(request)
        key = None if _cache_resting() else self._key(request)
        if key is not None:
            entry = self._read(key)
            if entry is not None:
                return _conditional(request, _from_entry(entry))
        response = self.get_response(request)
        if not response_is_storable(request, response):
            return response
        rendered_at = time.time()
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        _public_headers(response, etag=etag, rendered_at=rendered_at)
        if key is not None:
            self._write(key, {
                "content": response.content, "etag": etag, "rendered_at": rendered_at,
                "headers": [(n, v) for n, v in response.items() if n.lower() not in _NOT_STORED],
            }, timeout)
        return _conditional(request, response)

    @staticmethod
    def _key(request: HttpRequest) -> str | None:
        code = _organisation_code(request)
        try:
            epoch, version = pubversion.versions(organisation_code=code)
        except Exception as exc:  # Redis down or unreachable: the page is served uncached
            _cache_failed(exc)
            return None
        return page_key(request, epoch=epoch, version=version, organisation_code=code)

    @staticmethod
    def _read(key: str) -> dict[str, Any] | None:
        try:
            entry = cache.get(key)
        except Exception as exc:
            _cache_failed(exc)
            return None
        return entry if isinstance(entry, dict) else None

    @staticmethod
    def _write(key: str, entry: dict[str, Any], timeout: int) -> None:
        try:
            cache.set(key, entry, timeout)
        except Exception as exc:
            _cache_failed(exc)

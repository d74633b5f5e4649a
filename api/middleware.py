"""Everything under ``/api/``: the rate limit, ETag and Cache-Control, JSON errors.

For every request under ``/api/`` (whichever app's view answers it):

1. the anonymous rate limit is counted (``api.throttling.check``); past it, a 429 with ``Retry-After`` and a
   Chinese message, ``Cache-Control: no-store``;
2. a GET or HEAD gets a weak ETag made of the publication versions of ``core/pubversion.py`` (the epoch and the
   global version, which every public change bumps after its commit), a time slice of
   ``GOVOPEN_API_ETAG_SECONDS`` (a scheduled publication whose time comes is public without a bump: the slice bounds
   how long an ETag may outlive it), and the URL (scheme, host, path, query parameters sorted). The versions are
   read *before* the view runs, so a response built from data older than a bump never carries the newer versions.
   A request whose ``If-None-Match`` holds the current ETag is answered 304 at once: one cache round trip, no
   database query, no view;
3. 200, 400 and 404 answers to GET and HEAD carry ``Cache-Control: public, max-age=GOVOPEN_API_MAX_AGE`` and the
   ETag (a hash of the body when the cache does not answer); anything else ``no-store``;
4. Django's own HTML 404 (an unknown address) and 500 pages become JSON errors of the same shape as the views'.

It sits before the page cache (``core.pagecache``), which may serve a stored API response: the ETag, the
Cache-Control and the rate limit are then still this middleware's.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _

from api.errors import json_error, not_found_message, throttled_message
from api.throttling import check
from core import pubversion
from core.pagecache import normalised_query

logger = logging.getLogger(__name__)

PREFIX = "/api/"
CACHEABLE_STATUSES = frozenset({200, 400, 404})
# Bumped when the shape of the responses changes, so clients holding an old ETag fetch the new shape.
ETAG_GENERATION = "1"


_down_until = [0.0]


def version_etag(request: HttpRequest) -> str | None:
    """The ETag of this URL under the current publication versions; None when the cache does not answer, and for
    ``GOVOPEN_PAGE_CACHE_RETRY_SECONDS`` after that (an unreachable Redis costs one timeout, not one per request)."""
    if time.monotonic() < _down_until[0]:
        return None
    try:
        epoch, version = pubversion.versions(organisation_code=None)
    except Exception as exc:  # Redis down: the body's hash will do
        _down_until[0] = time.monotonic() + settings.GOVOPEN_PAGE_CACHE_RETRY_SECONDS
        logger.debug("api etag: cache unavailable (%s)", type(exc).__name__)
        return None
    window = int(time.time()) // settings.GOVOPEN_API_ETAG_SECONDS
    # The Host header as sent: a disallowed host is refused further in (a 400), not here.
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    url = f"{request.scheme}://{host}{request.path}?{normalised_query(request)}"
    digest = hashlib.sha256(f"{ETAG_GENERATION}|{epoch}|{version}|{window}|{url}".encode("utf-8", "surrogatepass"))
    return f'W/"{digest.hexdigest()[:32]}"'


def _matches(request: HttpRequest, etag: str) -> bool:
    wanted = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not wanted:
        return False
    if wanted.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in wanted.split(","))


def _cache_headers(response: HttpResponse, *, etag: str | None) -> None:
    if etag:
        response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.GOVOPEN_API_MAX_AGE}"
    if response.has_header("Last-Modified"):  # the page cache's; the ETag is the validator here
        del response["Last-Modified"]


def _as_json_error(response: HttpResponse) -> HttpResponse:
    """Django's HTML error pages (an address no view matches, an unexpected error) as the API's JSON errors."""
    if response.get("Content-Type", "").startswith("application/json") or response.streaming:
        return response
    if response.status_code == 404:
        return json_error(404, detail=not_found_message(), code="not_found")
    if response.status_code >= 500:
        return json_error(response.status_code, detail=_("服务器出错了，请稍后再试。"), code="server_error")
    if response.status_code == 400:
        return json_error(400, detail=_("请求有误。"), code="bad_request")
    return response


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        wait = check(request)
        if wait is not None:
            return json_error(
                429,
                detail=throttled_message(wait),
                code="throttled",
                retry_after=wait,
                headers={"Retry-After": str(wait), "Cache-Control": "no-store"},
            )
        readable = request.method in ("GET", "HEAD")
        etag = version_etag(request) if readable else None
        if etag and _matches(request, etag):
            not_modified = HttpResponseNotModified()
            _cache_headers(not_modified, etag=etag)
            return not_modified
        response = _as_json_error(self.get_response(request))
        if not readable or response.status_code not in CACHEABLE_STATUSES | {304}:
            response["Cache-Control"] = "no-store"
            for name in ("ETag", "Last-Modified"):
                if response.has_header(name):
                    del response[name]
            return response
        if etag is None and not response.streaming:
            etag = f'W/"{hashlib.sha256(response.content).hexdigest()[:32]}"'
            _cache_headers(response, etag=etag)
            if response.status_code == 200:
                return get_conditional_response(request, etag=etag, response=response) or response
            return response
        _cache_headers(response, etag=etag)
        return response

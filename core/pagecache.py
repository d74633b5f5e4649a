"""The anonymous page cache: public pages for visitors without a session, served from the configured Django cache.

A page is looked up and stored only when every condition holds, on the request (GET or HEAD; no cookie but the
ones in ``GOVOPEN_PAGE_CACHE_IGNORED_COOKIES``, the CSRF cookie and the display preferences of ``core/display.py``
(applied to the page on its way out), i.e. no session, messages or applicant cookie; no Authorization
header; not under ``GOVOPEN_PAGE_CACHE_EXCLUDED_PATHS``: the admin and every applicant page) and, to be stored, on
the response (200, not streamed, no Set-Cookie, no Cache-Control of the view's own, the session untouched and empty,
the visitor anonymous). Views stay as they are; what is public is decided by the views and selectors, and this
middleware only keeps what they gave an anonymous visitor.

The key is the scheme and host, the path and the query string with its parameters sorted; the entry carries the
publication versions of ``core/pubversion.py`` it was rendered under (the epoch, and the organisation's version for
an organisation's pages or the global one for the others), and is served only while they are still the current ones.
The versions and the page are read together, in one round trip (a Redis MGET), and the versions are never kept in the
process: a withdrawal retires the pages at the next request of any worker. Every write that changes what the public
sees bumps a version after commit, so the next request renders afresh (and overwrites the retired entry); entries also
expire after ``GOVOPEN_PAGE_CACHE_SECONDS``, which bounds staleness when a bump is lost. The versions are read before
the view runs, so a page rendered from data older than a bump is stored with the versions older than the bump and
never served after it. Cacheable responses carry ``Cache-Control: public, max-age=GOVOPEN_PAGE_CACHE_MAX_AGE``, an ETag
(a hash of the body) and Last-Modified (when it was rendered), and conditional requests get a 304.

An entry is a pickled tuple (versions, ETag, Last-Modified, headers, body), not a whole ``HttpResponse``; on Redis it
is read and written on a connection of each thread's own, taken once from the pool of Django's backend (which builds
a new ``redis.Redis`` client, with its table of ~200 response callbacks, for every command).

The responses keep Django's ``Vary: Cookie`` (the session was consulted and found empty): they are the variant for a
visitor without cookies, which is the only variant ever stored or served here.

Redis is never a dependency: when the cache fails the page is rendered and served uncached, the cache is left alone
for ``GOVOPEN_PAGE_CACHE_RETRY_SECONDS`` (so a dead Redis costs one timeout, not one per request), and a warning is
logged at most once a minute.

It sits after WhiteNoise (static files never reach it) and before the session middleware, so a hit costs no session,
user or database work.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import cc_delim_re, get_conditional_response
from django.utils.http import http_date

from core import display, pubversion

logger = logging.getLogger(__name__)

# Pages that show one organisation's content, keyed by that organisation's version (see core/pubversion.py).
ORGANISATION_PAGES = frozenset(
    {
        "disclosure:document",
        "disclosure:guide",
        "disclosure:catalogue",
        "catalog:organisation",
    }
)
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
    ignored = {settings.CSRF_COOKIE_NAME, display.COOKIE, *settings.GOVOPEN_PAGE_CACHE_IGNORED_COOKIES} - {
        settings.SESSION_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
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


@functools.lru_cache(maxsize=4096)
def _organisation_code_of_path(path_info: str, urlconf: str) -> str | None:
    # A function of the path and the URL configuration only, so resolved once per path and process (bounded).
    try:
        match = resolve(path_info, urlconf)
    except Resolver404:
        return None
    if match.view_name in ORGANISATION_PAGES:
        return str(match.kwargs.get("code", "")) or None
    return None


def _organisation_code(request: HttpRequest) -> str | None:
    return _organisation_code_of_path(request.path_info, get_urlconf() or settings.ROOT_URLCONF)


def page_key(request: HttpRequest, *, organisation_code: str | None) -> str:
    scope = f"org:{organisation_code}" if organisation_code else "all"
    url = f"{request.scheme}://{request.get_host()}{request.path}?{normalised_query(request)}"
    digest = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()
    return f"page:{scope}:{digest}"


# (epoch, version, etag, last_modified, last_modified_timestamp, headers, content)
Entry = tuple[int, int, str, str, int, tuple[tuple[str, str], ...], bytes]
_ENTRY_LENGTH = 7


class _Link(threading.local):
    """This thread's own connection to the cache's Redis, made with the options of Django's pool (address,
    timeouts) and kept: a pool's per-command bookkeeping (checking the process, locking, polling the socket) costs
    more than a hit's MGET. It closes when its thread ends (the connection is garbage-collected)."""

    holder: Any = None
    pid: int = 0
    connection: Any = None


_link = _Link()


def _command(backend: RedisCache, *args: Any) -> Any:
    """One Redis command on this thread's connection; raises when Redis does not answer, after closing the
    connection (the next command connects afresh)."""
    holder = backend._cache
    connection = _link.connection
    if connection is None or _link.holder is not holder or _link.pid != os.getpid():
        # First use, a new cache configuration, or a forked process (the parent's socket stays the parent's).
        pool = holder.get_client(write=True).connection_pool
        connection = pool.connection_class(**pool.connection_kwargs)
        _link.holder, _link.pid, _link.connection = holder, os.getpid(), connection
    try:
        connection.send_command(*args)
        return connection.read_response()
    except Exception:
        connection.disconnect()
        raise


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _unpickled(blob: bytes | None) -> Any:
    if blob is None:
        return None
    try:
        return pickle.loads(blob)
    except Exception:  # not an entry of ours (written by another version of the code): a miss, overwritten
        return None


def _read(backend: Any, names: tuple[str, str, str]) -> tuple[int | None, int | None, Any]:
    """The epoch, the scope version and the page entry in one round trip; raises when the cache does not answer."""
    if isinstance(backend, RedisCache):
        epoch, version, blob = _command(backend, "MGET", *(backend.make_key(name) for name in names))
        # Counters are stored by Django's serializer as plain integers; entries are written by _write below.
        return _as_int(epoch), _as_int(version), _unpickled(blob)
    found = backend.get_many(list(names))
    return _as_int(found.get(names[0])), _as_int(found.get(names[1])), found.get(names[2])


def _write(backend: Any, name: str, entry: Entry, timeout: int) -> None:
    if isinstance(backend, RedisCache):
        _command(backend, "SET", backend.make_key(name), pickle.dumps(entry, pickle.HIGHEST_PROTOCOL), "EX", timeout)
    else:
        backend.set(name, entry, timeout)


_CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def _public_headers(response: HttpResponse, *, etag: str, last_modified: str) -> None:
    response["Cache-Control"] = f"public, max-age={settings.GOVOPEN_PAGE_CACHE_MAX_AGE}"
    response["ETag"] = etag
    response["Last-Modified"] = last_modified


def _from_entry(entry: Entry) -> HttpResponse:
    response = HttpResponse(entry[6], status=200)
    for name, value in entry[5]:
        response[name] = value
    _public_headers(response, etag=entry[2], last_modified=entry[3])
    return response


def _conditional(request: HttpRequest, response: HttpResponse, *, etag: str, last_modified: int) -> HttpResponse:
    meta = request.META
    if not any(header in meta for header in _CONDITIONAL_HEADERS):
        return response
    return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = settings.GOVOPEN_PAGE_CACHE_SECONDS
        if timeout <= 0 or not request_is_cacheable(request):
            return self.get_response(request)
        backend = caches[DEFAULT_CACHE_ALIAS]
        code = name = None
        epoch = version = None
        if not _cache_resting():
            code = _organisation_code(request)
            name = page_key(request, organisation_code=code)
            epoch, version, entry = self._lookup(backend, name, code)
            if (
                isinstance(entry, tuple)
                and len(entry) == _ENTRY_LENGTH
                and entry[0] == epoch
                and entry[1] == version
                and epoch is not None
                and version is not None
            ):
                return _conditional(request, _from_entry(entry), etag=entry[2], last_modified=entry[4])
        response = self.get_response(request)
        if not response_is_storable(request, response):
            return response
        rendered_at = int(time.time())
        etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        last_modified = http_date(rendered_at)
        _public_headers(response, etag=etag, last_modified=last_modified)
        if name is not None and epoch is not None and version is not None:
            headers = tuple((n, v) for n, v in response.items() if n.lower() not in _NOT_STORED)
            try:
                _write(
                    backend,
                    name,
                    (epoch, version, etag, last_modified, rendered_at, headers, response.content),
                    timeout,
                )
            except Exception as exc:
                _cache_failed(exc)
        return _conditional(request, response, etag=etag, last_modified=rendered_at)

    @staticmethod
    def _lookup(backend: Any, name: str, code: str | None) -> tuple[int | None, int | None, Any]:
        """(epoch, version, entry) as the cache holds them now; (None, None, None) when it does not answer, which
        serves and leaves the page uncached. Missing counters are created, and the page is then rendered afresh."""
        try:
            epoch, version, entry = _read(backend, (pubversion.EPOCH_KEY, pubversion.scope_key(code), name))
            if epoch is None or version is None:
                epoch, version = pubversion.versions(organisation_code=code)
                entry = None
        except Exception as exc:  # Redis down or unreachable
            _cache_failed(exc)
            return None, None, None
        return epoch, version, entry

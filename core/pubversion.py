"""Publication versions: the counters that key the anonymous page cache (``core/pagecache.py``).

Three kinds of counter live in the configured Django cache (Redis in production, local memory in the demo):

- the **epoch**, part of every page key: ``publication_changed()`` without an organisation bumps it, which retires
  every cached page at once. Removals (withdrawing a document or an interpretation) and changes to shared data
  (organisations, topics, the 依申请公开目录) use it, because a removed item may be named on another organisation's
  pages (a document's 现行文件 link, an interpretation beside a policy).
- the **global** version, part of the key of every page that spans organisations (home, search, lists, catalogue
  items, interpretations, emergencies, reports);
- one version **per organisation** (by code), part of the key of the pages that show one organisation's content:
  its documents, its catalogue and guide, its organisation page. ``publication_changed(organisation=org)`` bumps it
  and the global version, so a publication in one department leaves the other departments' document pages cached.

Bumps run after commit: a page rendered from the database before the commit can only ever be stored under the old
version, which no request reads once the bump is done. A bump never breaks the write: if the cache does not answer,
a warning is logged and pages already cached stay until they expire (``GOVOPEN_PAGE_CACHE_SECONDS``), so a lost bump
means a stale public page for at most that long plus the ``max-age`` browsers and proxies may keep it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

EPOCH_KEY = "pv:epoch"
GLOBAL_KEY = "pv:global"


def organisation_key(code: str) -> str:
    return f"pv:org:{code}"


def _fresh() -> int:
    # A counter that disappeared (evicted, Redis restarted) starts again from the clock, never from a small number an
    # older page key might still carry.
    return time.time_ns()


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # the counter is missing: any fresh value retires the pages keyed by the old one
        if not cache.add(key, _fresh(), timeout=None):
            cache.incr(key)


def _keys(organisation_code: str | None) -> tuple[str, ...]:
    return (EPOCH_KEY,) if organisation_code is None else (organisation_key(organisation_code), GLOBAL_KEY)


def bump_now(*, organisation_code: str | None = None) -> None:
    """Bump at once (no transaction involved); raises when the cache does not answer. Writes go through
    ``publication_changed``; call this only outside any transaction (a test's fresh start, an operator's shell)."""
    for key in _keys(organisation_code):
        _bump(key)


def _bump_after_commit(keys: tuple[str, ...]) -> None:
    # First the WAL position replicas must reach before serving pages, then the versions that key those pages.
    from core.dbrouter import publication_position_advance

    publication_position_advance()
    try:
        for key in keys:
            _bump(key)
    except Exception as exc:  # the cache is down: the write stands, cached pages expire on their own
        logger.warning(
            "page cache: publication version not bumped (%s); cached pages expire within their timeout",
            type(exc).__name__,
        )


def publication_changed(organisation: Any = None) -> None:
    """What the public sees has changed, for ``organisation`` only (its pages and the cross-organisation pages) or,
    without one, anywhere. Call it inside the write's transaction: the bump runs after the commit, never on a
    rollback."""
    keys = _keys(getattr(organisation, "code", None) if organisation is not None else None)
    transaction.on_commit(lambda: _bump_after_commit(keys), robust=True)


def global_pages_changed() -> None:
    """A page that belongs to no organisation changed (the public list of answered error reports): only the global
    version is bumped, after commit, so every organisation's own pages stay cached."""
    transaction.on_commit(lambda: _bump_after_commit((GLOBAL_KEY,)), robust=True)


def search_changed() -> None:
    """The search index changed after the publication's own commit (indexing runs in the worker, a moment later):
    only cross-organisation pages show search results, so only the global version is bumped, after commit."""
    transaction.on_commit(lambda: _bump_after_commit((GLOBAL_KEY,)), robust=True)


def scope_key(organisation_code: str | None) -> str:
    """The counter of a page of one organisation or, without a code, of a cross-organisation page (read with the
    epoch; the page cache reads both in the same round trip as the page)."""
    return GLOBAL_KEY if organisation_code is None else organisation_key(organisation_code)


def versions(*, organisation_code: str | None) -> tuple[int, int]:
    """(epoch, scope version) for a page of one organisation or, without a code, a cross-organisation page. Missing
    counters are created. Raises when the cache does not answer (the caller serves the page uncached)."""
    scope = scope_key(organisation_code)
    found = cache.get_many([EPOCH_KEY, scope])
    for key in (EPOCH_KEY, scope):
        if key not in found:
            cache.add(key, _fresh(), timeout=None)
            found[key] = cache.get(key)
    return int(found[EPOCH_KEY]), int(found[scope])
